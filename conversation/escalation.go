package conversation

import (
	"net/url"
	"strings"
)

// DefaultEscalationEmail is the MCN contact named in the FAQ.
const DefaultEscalationEmail = "encadrement.ia@mcn.gouv.qc.ca"

// maxMailQuestion bounds the question quoted in a draft so that the mailto:
// link stays short enough for link buttons.
const maxMailQuestion = 500

// escalation drafts the e-mail for body lines in lang. The draft holds only
// what the caller passes (a redacted question, or the dialog's answers and
// verdict): never a user name, id or platform.
func (e *Engine) escalation(lang string, lines ...string) *Escalation {
	t := textFor(lang)
	body := t.mailHello + "\n\n" + strings.Join(lines, "\n") + "\n\n" + t.mailThanks
	return &Escalation{
		Email:   e.email,
		Subject: t.mailSubject,
		Body:    body,
		Mailto:  mailto(e.email, t.mailSubject, body),
	}
}

// mailto builds an RFC 6068 link. Spaces are %20, not "+", which mail
// clients would show literally.
func mailto(addr, subject, body string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	return "mailto:" + addr + "?subject=" + esc(subject) + "&body=" + esc(body)
}

// questionDraft is the escalation for a question the FAQ did not answer.
func (e *Engine) questionDraft(lang, question string) *Escalation {
	t := textFor(lang)
	return e.escalation(lang, t.mailQuestion, "", "« "+clip(Redact(question), maxMailQuestion)+" »")
}

// dialogDraft is the escalation for the eligibility dialog: the questions
// with the answers given, and the verdict if one was reached.
func (e *Engine) dialogDraft(lang string, d *DialogState, verdict *Verdict) *Escalation {
	t := textFor(lang)
	lines := []string{t.mailDialog}
	// Fact labels, not the whole questions, keep the mailto: link short.
	for _, a := range d.Answers {
		lines = append(lines, "- "+e.factLabel(a.Fact, lang)+" : "+choiceLabel(t, a.Value))
	}
	lines = append(lines, "")
	if verdict != nil {
		lines = append(lines, t.mailVerdict+" "+verdict.Title)
	} else {
		lines = append(lines, t.mailPending)
	}
	return e.escalation(lang, lines...)
}

// genericDraft is the escalation asked for without a question or a dialog:
// the user writes the question in their mail client.
func (e *Engine) genericDraft(lang string) *Escalation {
	return e.escalation(lang, textFor(lang).mailGeneric, "")
}

func choiceLabel(t *ui, v string) string {
	switch v {
	case Yes:
		return t.yes
	case No:
		return t.no
	}
	return t.unknown
}

// clip keeps the first n runes of s, marking the cut with "…".
func clip(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return strings.TrimSpace(s[:j]) + "…"
		}
		i++
	}
	return s
}
