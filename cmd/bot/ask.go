package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
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
	kb, err := loadKB(env.Config)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot ask : FAQ illisible / cannot load the FAQ: %v\n", err)
		return exitFail
	}
	ix, err := newIndex(env.Config, kb)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot ask : index impossible / cannot build the index: %v\n", err)
		return exitFail
	}
	defer ix.Close()
	res, err := ix.Search(ctx, q)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot ask : recherche impossible / search failed: %v\n", err)
		return exitFail
	}
	out := askResult(kb, res, lang, env.Config.EscalationEmail)
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return exitFail
		}
		return exitOK
	}
	printAsk(env.Stdout, kb, res, out, lang)
	return exitOK
}

// askResult maps a search result onto the JSON contract.
func askResult(kb *faq.KB, res index.Result, lang, contact string) askOutput {
	out := askOutput{Status: "fallback", Decision: string(res.Decision), Confidence: round3(res.Confidence),
		Suggestions: []string{}, Truncated: res.Truncated}
	if len(res.Hits) > 0 {
		out.Score = round3(res.Hits[0].Score)
	}
	if res.Decision == index.Answer {
		a := conversation.Quote(kb, res.Hits[0].Entry, lang)
		out.Status, out.Entry, out.Question, out.Answer, out.Source = "answer", &a.EntryID, &a.Question, &a.Text, &a.Source.Label
		for _, h := range res.Hits[1:] {
			if len(out.Suggestions) == 2 {
				break
			}
			out.Suggestions = append(out.Suggestions, h.Entry.ID)
		}
		return out
	}
	out.Contact = contact
	for _, h := range res.Hits {
		if len(out.Suggestions) == 3 {
			break
		}
		out.Suggestions = append(out.Suggestions, h.Entry.ID)
	}
	return out
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

func printAsk(w io.Writer, kb *faq.KB, res index.Result, out askOutput, lang string) {
	en := lang == "en"
	if res.Decision == index.Answer {
		a := conversation.Quote(kb, res.Hits[0].Entry, lang)
		fmt.Fprintf(w, "%s\n\n%s\n\n%s\n", a.Question, a.Text, a.Source.Label)
		return
	}
	switch {
	case res.Decision == index.Ambiguous && en:
		fmt.Fprintln(w, "Your question could match several entries of the official FAQ. Did you mean…")
	case res.Decision == index.Ambiguous:
		fmt.Fprintln(w, "Votre question peut correspondre à plusieurs entrées de la FAQ officielle. Vouliez-vous dire…")
	case en:
		fmt.Fprintln(w, "No answer to this question was found in the official FAQ.")
	default:
		fmt.Fprintln(w, "Je n'ai pas trouvé de réponse à cette question dans la FAQ officielle.")
	}
	if len(out.Suggestions) > 0 {
		if res.Decision != index.Ambiguous {
			if en {
				fmt.Fprintln(w, "\nRelated questions:")
			} else {
				fmt.Fprintln(w, "\nQuestions proches :")
			}
		}
		for i, id := range out.Suggestions {
			if e, ok := kb.Entry(id); ok {
				fmt.Fprintf(w, "  %d. %s  [%s]\n", i+1, e.Question, id)
			}
		}
		if en {
			fmt.Fprintln(w, "\nAsk again with the question you mean, e.g. bot ask --lang en \"<question>\".")
		} else {
			fmt.Fprintln(w, "\nReformulez votre question, par exemple avec l'une de celles-ci.")
		}
	}
	if en {
		fmt.Fprintf(w, "\nFor any other question, write to %s.\n", out.Contact)
	} else {
		fmt.Fprintf(w, "\nPour toute autre question, écrivez à %s.\n", out.Contact)
	}
}
