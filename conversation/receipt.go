package conversation

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ActEligReceipt shows the receipt of the session's finished check.
const ActEligReceipt = "elig:receipt"

// receiptWords are the receipt's headings in one language.
type receiptWords struct {
	title, when, result, exceptions, answers, cited, rules, source, privacy string
}

var receiptText = map[string]receiptWords{
	LangFR: {
		title:      "Récapitulatif — vérification d'admissibilité, indication d'application IA-RI-2025-001-OP",
		when:       "Date et heure : ",
		result:     "Résultat : ",
		exceptions: "Exceptions qui s'appliquent :",
		answers:    "Réponses données :",
		cited:      "Entrées de la FAQ citées :",
		rules:      "Version des règles : ",
		source:     "",
		privacy: "Ce récapitulatif ne contient aucun renseignement sur la personne qui a fait la vérification. " +
			"Il résume une vérification faite à partir de la FAQ officielle; il n'est pas un avis du MCN.",
	},
	LangEN: {
		title:      "Receipt — eligibility check, directive IA-RI-2025-001-OP",
		when:       "Date and time: ",
		result:     "Result: ",
		exceptions: "Exceptions that apply:",
		answers:    "Answers given:",
		cited:      "FAQ entries cited:",
		rules:      "Rules version: ",
		source:     "",
		privacy: "This receipt holds nothing about the person who ran the check. " +
			"It summarizes a check made from the official FAQ; it is not an opinion of the MCN.",
	},
}

// receipt is the plain-text record of a finished check, built from this
// session's own answers only: what was asked and answered, the verdict, its
// citations, the rules' version and the FAQ's date. Nothing about the person.
func (e *Engine) receipt(lang string, d *DialogState, v *Verdict, at time.Time) string {
	w, ok := receiptText[lang]
	if !ok {
		w = receiptText[LangFR]
	}
	u := textFor(lang)
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line(w.title)
	line("")
	line(w.when + at.UTC().Format("2006-01-02 15:04 UTC"))
	line(w.result + v.Title)
	if v.Conclusion != "" {
		line(v.Conclusion)
	}
	if len(v.Exceptions) > 0 {
		line(w.exceptions)
		for _, x := range v.Exceptions {
			line("- " + x)
		}
	}
	if v.Explanation != "" {
		line("")
		line(v.Explanation)
	}
	line("")
	line(w.answers)
	for i, a := range d.Answers {
		prompt := a.Fact
		if f, ok := e.rules.Fact(a.Fact); ok {
			prompt = f.Question(lang)
		}
		line(strconv.Itoa(i+1) + ". " + prompt)
		line("   → " + choiceLabel(u, a.Value))
	}
	if len(v.Citations) > 0 {
		line("")
		line(w.cited)
		for _, c := range v.Citations {
			line("- " + c.Question)
		}
	}
	line("")
	line(w.rules + e.rules.Version)
	line(e.kb.Doc.SourceLabel(lang))
	line("")
	line(w.privacy)
	return b.String()
}

// showReceipt answers the receipt button: the receipt of this session's
// finished check, or a notice when there is none (a stale button, another
// conversation, a check still under way).
func (t *turn) showReceipt() Reply {
	d := t.sess.Dialog
	if d == nil || d.Verdict == "" || t.e.rules == nil {
		return t.stale()
	}
	_, v, err := t.e.step(d.Answers, t.lang)
	if err != nil || v == nil {
		return t.stale()
	}
	t.kind = "receipt"
	return Reply{Text: []string{t.e.receipt(t.lang, d, v, time.Now())}, Actions: []Action{t.btn(ActEligRestart)}}
}

// Receipt is the receipt of a check answered in this order (`bot check
// --fact … --receipt`); it fails when the answers reach no verdict.
func (e *Engine) Receipt(answers []FactAnswer, lang string, at time.Time) (string, error) {
	if e.rules == nil {
		return "", fmt.Errorf("conversation: no rules loaded")
	}
	_, v, err := e.step(answers, lang)
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", fmt.Errorf("conversation: the answers reach no verdict yet")
	}
	return e.receipt(lang, &DialogState{Answers: answers, Verdict: v.Code}, v, at), nil
}
