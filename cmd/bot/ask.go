package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/store/memstore"
)

func init() {
	register(command{
		name:    "ask",
		summary: "répond à une question à partir de la FAQ officielle / answers a question from the official FAQ",
		run:     runAsk,
	})
}

func askUsage(w io.Writer) {
	fmt.Fprintln(w, "Utilisation / usage: bot ask [--json] [--lang fr|en] QUESTION")
	fmt.Fprintln(w, "  --json        un objet JSON (status, entry, score, confidence, suggestions, question, answer, source)")
	fmt.Fprintln(w, "                one JSON object")
	fmt.Fprintln(w, "  --lang fr|en  langue des libellés (le texte officiel reste en français) / label language")
}

// askOutput is the JSON contract of `bot ask --json` (../shared/eval/README.md):
// status is "answer" or "fallback"; an ambiguous question falls back with
// its 2–3 plausible entries in suggestions (decision says "ambiguous").
type askOutput struct {
	Status      string   `json:"status"`
	Decision    string   `json:"decision"`
	Entry       *string  `json:"entry"`
	Score       float64  `json:"score"`
	Confidence  float64  `json:"confidence"`
	Suggestions []string `json:"suggestions"`
	Question    *string  `json:"question"`
	Answer      *string  `json:"answer"`
	Source      *string  `json:"source"`
	Contact     string   `json:"contact,omitempty"`
	Truncated   bool     `json:"truncated,omitempty"`
}

// parseAskArgs accepts flags anywhere before "--"; every other word is
// part of the question.
func parseAskArgs(args []string) (asJSON bool, lang string, question string, help bool, err error) {
	lang = "fr"
	var words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			words = append(words, args[i+1:]...)
			i = len(args)
		case a == "--json" || a == "-json":
			asJSON = true
		case a == "-h" || a == "--help" || a == "-help":
			help = true
		case a == "--lang" || a == "-lang":
			if i+1 >= len(args) {
				return false, "", "", false, fmt.Errorf("--lang : fr ou en attendu / expected fr or en")
			}
			i++
			lang = args[i]
		case strings.HasPrefix(a, "--lang=") || strings.HasPrefix(a, "-lang="):
			lang = a[strings.IndexByte(a, '=')+1:]
		default:
			words = append(words, a)
		}
	}
	if lang != "fr" && lang != "en" {
		return false, "", "", false, fmt.Errorf("--lang %q : fr ou en attendu / expected fr or en", lang)
	}
	return asJSON, lang, strings.TrimSpace(strings.Join(words, " ")), help, nil
}

func runAsk(ctx context.Context, env *Env, args []string) int {
	asJSON, lang, q, help, err := parseAskArgs(args)
	if help {
		askUsage(env.Stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot ask : %v\n", err)
		askUsage(env.Stderr)
		return exitUsage
	}
	if q == "" {
		fmt.Fprintln(env.Stderr, "bot ask : question vide / empty question")
		askUsage(env.Stderr)
		return exitUsage
	}
	ask, err := newAsker(env.Config, env.Logger)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot ask : %v\n", err)
		return exitFail
	}
	defer ask.close()
	out, reply, noRules := ask.ask(ctx, q, lang)
	if noRules && !asJSON {
		fmt.Fprintln(env.Stdout, "La vérification d'admissibilité se fait avec « bot check ». / The eligibility check is « bot check ».")
		return exitOK
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return exitFail
		}
		return exitOK
	}
	fmt.Fprintln(env.Stdout, reply.PlainText())
	return exitOK
}

// asker is `bot ask`: a thin front-end of the engine, which answers the
// question as on every other surface (same commands, same words, same
// language rules); the engine's Trace gives the search figures of the JSON
// contract. Nothing is stored: the engine runs on an in-memory store.
type asker struct {
	kb      *faq.KB
	ix      *index.Index
	rt      *conversation.Runtime
	contact string
}

func newAsker(cfg Config, logger *slog.Logger) (*asker, error) {
	kb, err := loadKB(cfg)
	if err != nil {
		return nil, fmt.Errorf("FAQ illisible / cannot load the FAQ: %w", err)
	}
	ix, err := newIndex(cfg, kb)
	if err != nil {
		return nil, fmt.Errorf("index impossible / cannot build the index: %w", err)
	}
	// No rules: a one-shot question needs none, and loading them (they
	// validate their scenarios) would double the command's time; asking
	// for the check points to `bot check`.
	contact := cfg.EscalationEmail
	if contact == "" {
		contact = conversation.DefaultEscalationEmail
	}
	eng := conversation.New(conversation.Options{KB: kb, Index: ix, Store: memstore.New(),
		EscalationEmail: contact}) // no per-message log line in a one-shot command; failures go to the runtime's log
	rt := conversation.NewRuntime(eng, conversation.RuntimeOptions{Component: "ask", Logger: logger})
	return &asker{kb: kb, ix: ix, rt: rt, contact: contact}, nil
}

func (a *asker) close() { a.ix.Close() }

// ask sends q to the engine as a new conversation; lang is the locale hint
// (the reply follows the question's language when it shows one).
func (a *asker) ask(ctx context.Context, q, lang string) (askOutput, conversation.Reply, bool) {
	var tr conversation.Trace
	m := conversation.Message{Platform: "cli", UserID: "ask", ConversationID: "ask", Text: q, Locale: lang}
	reply, _ := a.rt.Handle(conversation.WithTrace(ctx, &tr), m)
	return askResult(reply, tr, a.contact), reply, tr.NoRules
}

// askResult maps the engine's reply and trace onto the JSON contract.
func askResult(r conversation.Reply, tr conversation.Trace, contact string) askOutput {
	out := askOutput{Status: "fallback", Decision: string(index.Fallback), Suggestions: []string{}, Truncated: tr.Truncated}
	var hits []index.Hit
	if res := tr.Search; res != nil {
		out.Decision, out.Confidence, out.Truncated = string(res.Decision), round3(res.Confidence), out.Truncated || res.Truncated
		hits = res.Hits
		if len(hits) > 0 {
			out.Score = round3(hits[0].Score)
		}
	}
	if a := r.Answer; a != nil {
		out.Status, out.Entry, out.Question, out.Answer, out.Source = "answer", &a.EntryID, &a.Question, &a.Text, &a.Source.Label
		for _, h := range hits {
			if len(out.Suggestions) == 2 {
				break
			}
			if h.Entry != nil && h.Entry.ID != a.EntryID {
				out.Suggestions = append(out.Suggestions, h.Entry.ID)
			}
		}
		return out
	}
	out.Contact = contact
	for _, h := range hits {
		if len(out.Suggestions) == 3 {
			break
		}
		if h.Entry != nil {
			out.Suggestions = append(out.Suggestions, h.Entry.ID)
		}
	}
	return out
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
