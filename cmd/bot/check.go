package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/qc-ia/conformbot/adapters/console"
	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/nearest"
	"github.com/qc-ia/conformbot/rules"
	"github.com/qc-ia/conformbot/store/memstore"
)

func init() {
	register(command{
		name:    "check",
		summary: "vérifie si un projet est visé par la suspension / checks whether a project is suspended",
		run:     runCheck,
	})
}

// factFlags collects repeated --fact NAME=VALUE in order.
type factFlags []string

func (f *factFlags) String() string     { return strings.Join(*f, " ") }
func (f *factFlags) Set(s string) error { *f = append(*f, s); return nil }

func runCheck(ctx context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	asJSON := fs.Bool("json", false, "sortie JSON (contrat d'évaluation) / JSON output (evaluation contract)")
	lang := fs.String("lang", "fr", "langue : fr ou en / language: fr or en")
	withReceipt := fs.Bool("receipt", false, "avec --fact : imprimer aussi le récapitulatif du verdict / with --fact: also print the verdict's receipt")
	var facts factFlags
	fs.Var(&facts, "fact", "réponse NOM=yes|no|unknown, répétable / answer NAME=yes|no|unknown, repeatable")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot check [--lang fr|en] [--json] [--receipt] [--fact NOM=yes|no|unknown ...]")
		fmt.Fprintln(env.Stderr, "Sans --json ni --fact : questionnaire interactif. / Without --json or --fact: interactive questionnaire.")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "bot check : argument inattendu « %s » ; utilisez --fact NOM=VALEUR / unexpected argument %q; use --fact NAME=VALUE\n", fs.Arg(0), fs.Arg(0))
		return exitUsage
	}
	if *lang != "fr" && *lang != "en" {
		fmt.Fprintf(env.Stderr, "bot check : --lang « %s » : fr ou en / --lang %q: fr or en\n", *lang, *lang)
		return exitUsage
	}
	rs, err := loadRules(env.Config)
	if err != nil {
		fmt.Fprintln(env.Stderr, "bot check : règles invalides / invalid rules:")
		for _, p := range rules.Problems(err) {
			fmt.Fprintln(env.Stderr, "  "+p)
		}
		return exitFail
	}
	given, msg := parseFacts(rs, facts)
	if msg != "" {
		fmt.Fprintln(env.Stderr, "bot check : "+msg)
		return exitUsage
	}
	kb, err := loadKB(env.Config)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot check : FAQ illisible / cannot load the FAQ: %v\n", err)
		return exitFail
	}
	opts := conversation.Options{KB: kb, Rules: rs, Store: memstore.New(), EscalationEmail: env.Config.EscalationEmail}
	if !*asJSON && len(given) == 0 {
		// The questionnaire is the engine's dialog in the terminal: the
		// same questions, commands and words as every surface (a question
		// asked mid-dialog is answered from the FAQ, hence the index).
		ix, err := newIndex(env.Config, kb)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot check : index impossible / cannot build the index: %v\n", err)
			return exitFail
		}
		defer ix.Close()
		opts.Index = ix
		in, restore := interruptible(env.Stdin)
		defer restore()
		err = console.Run(ctx, console.Options{Handler: conversation.New(opts), In: in, Out: env.Stdout,
			Locale: *lang, Logger: env.Logger, Start: conversation.ActEligStart, Done: dialogClosed})
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot check : %v\n", err)
			return exitFail
		}
		return exitOK
	}
	reply, o, err := conversation.New(opts).Check(given, *lang)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot check : %v\n", err)
		return exitFail
	}
	if *asJSON {
		return printCheckJSON(env.Stdout, rs, o, given, *lang)
	}
	fmt.Fprintln(env.Stdout, reply.PlainText())
	if *withReceipt {
		var answers []conversation.FactAnswer
		for _, p := range facts {
			name, _, _ := strings.Cut(p, "=")
			name = strings.TrimSpace(name)
			answers = append(answers, conversation.FactAnswer{Fact: name, Value: string(given[name])})
		}
		receipt, err := conversation.New(opts).Receipt(answers, *lang, time.Now())
		if err != nil {
			fmt.Fprintln(env.Stderr, "bot check --receipt : pas encore de verdict, répondez aux questions qui restent / no verdict yet: answer the remaining questions")
			return exitUsage
		}
		fmt.Fprintln(env.Stdout)
		fmt.Fprint(env.Stdout, receipt)
	}
	return exitOK
}

// dialogClosed ends the questionnaire once the dialog is cancelled
// (« annuler », « quitter »): the reply then offers to start it again.
func dialogClosed(r conversation.Reply) bool {
	if r.Question != nil || r.Verdict != nil {
		return false
	}
	for _, a := range r.Actions {
		if a.ID == conversation.ActEligStart {
			return true
		}
	}
	return false
}

// parseFacts reads NAME=VALUE pairs; the message names what is allowed.
func parseFacts(rs *rules.RuleSet, pairs []string) (rules.Facts, string) {
	allowed := strings.Join(rs.FactNames(), ", ")
	facts := rules.Facts{}
	for _, p := range pairs {
		name, val, ok := strings.Cut(p, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok || name == "" {
			return nil, fmt.Sprintf("--fact « %s » : NOM=yes|no|unknown attendu / expected NAME=yes|no|unknown", p)
		}
		if _, known := rs.Fact(name); !known {
			hint := ""
			if near := nearest.ID(name, rs.FactNames()); near != "" {
				hint = fmt.Sprintf(" ; vouliez-vous dire « %s » ? / did you mean %q?", near, near)
			}
			return nil, fmt.Sprintf("fait inconnu « %s »%s ; faits permis / unknown fact %q; allowed facts: %s", name, hint, name, allowed)
		}
		v, ok := rules.ParseValue(val)
		if !ok {
			return nil, fmt.Sprintf("valeur « %s » pour %s : oui, non ou je ne sais pas (yes, no, unknown) / value %q for %s: allowed yes, no or unknown (oui, non, je ne sais pas)", val, name, val, name)
		}
		if _, dup := facts[name]; dup {
			return nil, fmt.Sprintf("fait « %s » donné deux fois ; un seul --fact par fait / fact %q given twice; one --fact per fact", name, name)
		}
		facts[name] = v
	}
	return facts, ""
}

type checkJSON struct {
	Verdict      *string  `json:"verdict"`
	Title        *string  `json:"title"`
	Exceptions   []string `json:"exceptions"`
	Next         *string  `json:"next"`
	Question     *string  `json:"question"`
	Citations    []string `json:"citations"`
	Tone         string   `json:"tone,omitempty"`       // positive, negative or neutral
	Conclusion   string   `json:"conclusion,omitempty"` // one sentence
	Answers      []string `json:"answers"`              // the facts the verdict rests on
	Explanation  string   `json:"explanation"`
	ToVerify     []string `json:"to_verify"`
	Possible     []string `json:"possible"`
	Contact      string   `json:"contact,omitempty"` // when unknown answers block the verdict
	RulesVersion string   `json:"rules_version"`
	SourceDate   string   `json:"source_date"`
}

func printCheckJSON(w io.Writer, rs *rules.RuleSet, o rules.Outcome, given rules.Facts, lang string) int {
	out := checkJSON{
		Exceptions:   nonNil(o.Exceptions),
		Citations:    nonNil(o.Citations),
		ToVerify:     nonNil(o.ToVerify),
		Possible:     nonNil(o.Possible),
		Conclusion:   rs.Conclude(o, given, lang),
		Answers:      nonNil(rs.Support(o, given)),
		Explanation:  rs.Explain(o, given, lang),
		RulesVersion: rs.Version,
		SourceDate:   rs.SourceDate.Format("2006-01-02"),
	}
	if o.Verdict == rs.FallbackVerdict() {
		out.Contact = rs.Contact
	}
	if o.Verdict != "" {
		title := rs.VerdictTitle(o.Verdict, lang)
		out.Verdict, out.Title = &o.Verdict, &title
		out.Tone = rs.VerdictTone(o.Verdict)
	}
	if f, ok := rs.Fact(o.Next); ok {
		q := f.Question(lang)
		out.Next, out.Question = &o.Next, &q
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return exitFail
	}
	return exitOK
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
