package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/qc-ia/conformbot/rules"
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
	var facts factFlags
	fs.Var(&facts, "fact", "réponse NOM=yes|no|unknown, répétable / answer NAME=yes|no|unknown, repeatable")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot check [--lang fr|en] [--json] [--fact NOM=yes|no|unknown ...]")
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
	if !*asJSON && len(given) == 0 {
		return questionnaire(ctx, rs, env.Stdin, env.Stdout, *lang)
	}
	o := rs.Evaluate(given)
	if *asJSON {
		return printCheckJSON(env.Stdout, rs, o, given, *lang)
	}
	printOutcome(env.Stdout, rs, o, given, *lang, len(given)+1)
	return exitOK
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
			return nil, fmt.Sprintf("fait inconnu « %s » ; faits permis / unknown fact %q; allowed facts: %s", name, name, allowed)
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

// Terminal texts, French then English.
type checkTexts struct {
	header, help, why, choices, prompt, unrecognized, first, bye, again, verify, refs, exceptions, question string
}

var checkMsgs = map[string]checkTexts{
	"fr": {
		header:       "Vérification : votre projet est-il visé par la suspension IA-RI-2025-001-OP ?\nRègles %s, d'après la FAQ du MCN du %s.",
		help:         "Répondez 1 (Oui), 2 (Non) ou 3 (Je ne sais pas). Tapez « retour » pour revenir à la question précédente, « recommencer » pour repartir du début, « quitter » pour terminer.",
		why:          "Pourquoi cette question : ",
		choices:      "  1 Oui   2 Non   3 Je ne sais pas",
		prompt:       "> ",
		unrecognized: "Réponse non reconnue. Tapez 1, 2 ou 3 (oui, non, je ne sais pas), « retour », « recommencer » ou « quitter ».",
		first:        "Vous êtes déjà à la première question.",
		bye:          "Au revoir.",
		again:        "Tapez « retour » pour modifier votre dernière réponse, « recommencer » pour une nouvelle vérification, ou « quitter ».",
		verify:       "À vérifier :",
		refs:         "Références (FAQ du %s) : %s",
		exceptions:   "Exception : %s",
		question:     "Question %d : %s",
	},
	"en": {
		header:       "Check: is your project covered by suspension IA-RI-2025-001-OP?\nRules %s, based on the MCN FAQ of %s.",
		help:         "Answer 1 (Yes), 2 (No) or 3 (I don't know). Type \"back\" to return to the previous question, \"restart\" to start over, \"quit\" to finish.",
		why:          "Why we ask: ",
		choices:      "  1 Yes   2 No   3 I don't know",
		prompt:       "> ",
		unrecognized: "Answer not recognized. Type 1, 2 or 3 (yes, no, I don't know), \"back\", \"restart\" or \"quit\".",
		first:        "You are already at the first question.",
		bye:          "Goodbye.",
		again:        "Type \"back\" to change your last answer, \"restart\" for a new check, or \"quit\".",
		verify:       "To verify:",
		refs:         "References (FAQ of %s): %s",
		exceptions:   "Exception: %s",
		question:     "Question %d: %s",
	},
}

var frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func sourceDate(rs *rules.RuleSet, lang string) string {
	d := rs.SourceDate
	if lang == "en" {
		return d.Format("January 2, 2006")
	}
	return fmt.Sprintf("%d %s %d", d.Day(), frMonths[d.Month()-1], d.Year())
}

// printOutcome shows the next question (numbered step) or the verdict.
func printOutcome(w io.Writer, rs *rules.RuleSet, o rules.Outcome, facts rules.Facts, lang string, step int) {
	t := checkMsgs[lang]
	if !o.Decided() {
		f, _ := rs.Fact(o.Next)
		fmt.Fprintf(w, "\n"+t.question+"\n", step, f.Question(lang))
		fmt.Fprintf(w, "  %s%s\n%s\n", t.why, f.Why(lang), t.choices)
		return
	}
	fmt.Fprintf(w, "\n== %s ==\n", rs.VerdictTitle(o.Verdict, lang))
	for _, e := range o.Exceptions {
		fmt.Fprintf(w, t.exceptions+"\n", rs.ExceptionLabel(e, lang))
	}
	fmt.Fprintln(w, rs.Explain(o, facts, lang))
	if len(o.ToVerify) > 0 {
		fmt.Fprintln(w, t.verify)
		for _, name := range o.ToVerify {
			f, _ := rs.Fact(name)
			fmt.Fprintf(w, "  - %s\n", f.Question(lang))
		}
	}
	fmt.Fprintf(w, t.refs+"\n", sourceDate(rs, lang), strings.Join(o.Citations, ", "))
}

type answered struct {
	fact  string
	value rules.Value
}

// questionnaire runs the dialog in a terminal until a verdict, "quitter"
// or the end of input.
func questionnaire(ctx context.Context, rs *rules.RuleSet, in io.Reader, w io.Writer, lang string) int {
	t := checkMsgs[lang]
	fmt.Fprintf(w, t.header+"\n%s\n", rs.Version, sourceDate(rs, lang), t.help)
	sc := bufio.NewScanner(in)
	var hist []answered
	facts := func() rules.Facts {
		f := rules.Facts{}
		for _, a := range hist {
			f[a.fact] = a.value
		}
		return f
	}
	show := true
	for ctx.Err() == nil {
		o := rs.Evaluate(facts())
		if show {
			printOutcome(w, rs, o, facts(), lang, len(hist)+1)
			if o.Decided() {
				fmt.Fprintln(w, t.again)
			}
		}
		show = true
		fmt.Fprint(w, t.prompt)
		if !sc.Scan() {
			fmt.Fprintln(w, "\n"+t.bye)
			return exitOK
		}
		line := strings.TrimSpace(sc.Text())
		switch cmd := dialogCommand(line); {
		case cmd == "quit" || (o.Decided() && line == ""):
			fmt.Fprintln(w, t.bye)
			return exitOK
		case cmd == "back":
			if len(hist) == 0 {
				fmt.Fprintln(w, t.first)
				show = false
				continue
			}
			hist = hist[:len(hist)-1]
		case cmd == "restart":
			hist = nil
		case cmd == "help":
			fmt.Fprintln(w, t.help)
		case o.Decided():
			fmt.Fprintln(w, t.again)
			show = false
		default:
			v, ok := rules.ParseValue(line)
			if !ok {
				fmt.Fprintln(w, t.unrecognized)
				show = false
				continue
			}
			hist = append(hist, answered{o.Next, v})
		}
	}
	return exitOK
}

// dialogCommand recognizes the dialog commands in French and English.
func dialogCommand(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "retour", "précédent", "precedent", "back", "previous":
		return "back"
	case "recommencer", "recommence", "reprendre", "restart", "start over", "reset":
		return "restart"
	case "quitter", "quit", "exit", "q", "fin", "terminer":
		return "quit"
	case "aide", "help":
		return "help"
	}
	return ""
}
