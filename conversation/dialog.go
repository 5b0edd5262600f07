package conversation

import "time"

// maxVerdictFollowUps bounds the cited entries offered as buttons after a verdict.
const maxVerdictFollowUps = 2

// The eligibility dialog: answers are kept in the session in the order they
// were asked; the rules decide the next question or the verdict from them.

func (t *turn) dialogOpen() bool {
	return t.sess.Dialog != nil && t.sess.Dialog.Verdict == "" && t.e.rules != nil
}

func (t *turn) startDialog() Reply {
	t.e, t.rulesChanged = t.base, false // a new dialog starts on the current rules
	if t.e.rules == nil {
		t.kind = "no-rules"
		if tr := traceOf(t.ctx); tr != nil {
			tr.NoRules = true
		}
		return Reply{Text: []string{t.ui().noRules}, Actions: []Action{t.btn(ActEscalate)}}
	}
	t.sess.Dialog = &DialogState{Rules: t.e.rules.Digest}
	t.dirty = true
	r := t.step()
	r.Text = append([]string{t.ui().dialogStart}, r.Text...)
	return r
}

// step shows the next question, or the verdict once the answers settle it.
func (t *turn) step() Reply {
	d := t.sess.Dialog
	q, v, err := t.e.step(d.Answers, t.lang)
	if err != nil || (q == nil && v == nil) {
		t.e.log.ErrorContext(t.ctx, "eligibility step failed", "err", err, "answers", len(d.Answers))
		t.kind = "error"
		return Reply{Text: []string{t.ui().failure}, Actions: []Action{t.btn(ActEligRestart), t.btn(ActEscalate)}}
	}
	if v != nil {
		if d.Verdict != v.Code {
			d.Verdict = v.Code
			t.dirty = true
		}
		return t.verdict(v)
	}
	return t.ask(q)
}

func (t *turn) ask(q *Question) Reply {
	t.kind = "question"
	u := t.ui()
	d := t.sess.Dialog
	qq := *q
	qq.Step = len(d.Answers) + 1
	qq.Choices = nil
	for _, c := range []struct{ v, label string }{{Yes, u.yes}, {No, u.no}, {Unknown, u.unknown}} {
		if a, ok := action(actEligAnswer+q.Fact+":"+c.v, c.label); ok {
			qq.Choices = append(qq.Choices, a)
		}
	}
	r := Reply{Question: &qq}
	if len(d.Answers) > 0 {
		r.Actions = append(r.Actions, t.btn(ActEligBack), t.btn(ActEligRestart))
	}
	r.Actions = append(r.Actions, t.btn(ActEligCancel))
	return r
}

func (t *turn) verdict(v *Verdict) Reply {
	t.kind = "verdict"
	v.Receipt = t.e.receipt(t.lang, t.sess.Dialog, v, time.Now())
	r := Reply{Verdict: v, Actions: []Action{t.btn(ActEligReceipt)}}
	// The entries the verdict rests on open as follow-ups.
	for i, c := range v.Citations {
		if i == maxVerdictFollowUps {
			break
		}
		if c.Action.ID != "" {
			r.Actions = append(r.Actions, c.Action)
		}
	}
	r.Actions = append(r.Actions, t.btn(ActEligBack), t.btn(ActEligRestart))
	if t.e.rules.VerdictContact(v.Code) {
		r.Escalation = t.e.dialogDraft(t.lang, t.sess.Dialog, v)
		r.Actions = append(r.Actions, Action{Label: t.ui().btnMail, URL: r.Escalation.Mailto})
	}
	return r
}

// answerFact records v for fact, or for the pending question when fact is
// "" (typed text). A button of an earlier question or of an ended dialog
// gets a reply that says so and shows where the dialog is.
func (t *turn) answerFact(fact, v string) Reply {
	d := t.sess.Dialog
	if d == nil || t.e.rules == nil {
		return t.stale()
	}
	if d.Verdict != "" {
		t.kind = "stale"
		r := t.step()
		r.Text = append([]string{t.ui().dialogDone}, r.Text...)
		return r
	}
	q, v0, err := t.e.step(d.Answers, t.lang)
	if err != nil || v0 != nil || q == nil {
		return t.step()
	}
	if fact != "" && fact != q.Fact {
		msg := t.ui().stale
		for _, a := range d.Answers {
			if a.Fact == fact {
				msg = t.ui().staleAnswered
			}
		}
		r := t.ask(q)
		t.kind = "stale"
		r.Text = append([]string{msg}, r.Text...)
		return r
	}
	d.Answers = append(d.Answers, FactAnswer{Fact: q.Fact, Value: v})
	t.dirty = true
	return t.step()
}

func (t *turn) back() Reply {
	d := t.sess.Dialog
	if d == nil || t.e.rules == nil {
		return t.noDialog()
	}
	if len(d.Answers) == 0 {
		r := t.step()
		r.Text = append([]string{t.ui().atFirst}, r.Text...)
		return r
	}
	d.Answers = d.Answers[:len(d.Answers)-1]
	d.Verdict = ""
	t.dirty = true
	return t.step()
}

// noDialog answers a dialog command or answer when no dialog is open.
func (t *turn) noDialog() Reply {
	t.kind = "stale"
	return Reply{Text: []string{t.ui().noDialog}, Actions: []Action{t.btn(ActEligStart), t.btn(ActHelp)}}
}

func (t *turn) cancel() Reply {
	if t.sess.Dialog == nil {
		return t.noDialog()
	}
	t.kind = "cancel"
	t.sess.Dialog = nil
	t.dirty = true
	return Reply{Text: []string{t.ui().cancelled}, Actions: []Action{t.btn(ActEligStart), t.btn(ActHelp)}}
}

// keepDialog appends the pending question to r while a dialog is open, so
// that a question asked mid-dialog does not lose it.
func (t *turn) keepDialog(r Reply) Reply {
	if !t.dialogOpen() {
		return r
	}
	kind, entry := t.kind, t.entry
	q := t.step()
	t.kind, t.entry = kind, entry
	r.Text = append(r.Text, q.Text...)
	r.Question = q.Question
	r.Verdict = q.Verdict
	r.Actions = append(r.Actions, q.Actions...)
	return r
}
