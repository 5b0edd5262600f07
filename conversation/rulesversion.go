package conversation

import (
	"context"
)

// rulesChangedText tells a user whose dialog cannot go on with the rules
// it started with (another replica, or a restart, loaded new ones).
var rulesChangedText = map[string]string{
	LangFR: "Les règles d'admissibilité ont été mises à jour pendant votre vérification : elle se poursuit selon les nouvelles règles. « recommencer » la reprend du début.",
	LangEN: "The eligibility rules were updated during your check: it goes on under the new rules. \"restart\" starts it over.",
}

// newTurn is the handling of m on sess, by the engine whose rules the
// session's dialog started on: the current one, or one on prior rules
// this process still has. A dialog whose rules are gone goes on with the
// current ones, and says so.
func (e *Engine) newTurn(ctx context.Context, m Message, sess Session) *turn {
	t := &turn{e: e, base: e, ctx: ctx, m: m, sess: sess}
	d := sess.Dialog
	if d == nil || d.Rules == "" || e.rules == nil || d.Rules == e.rules.Digest {
		return t
	}
	if v := e.onRules(d.Rules); v != nil {
		t.e = v
		return t
	}
	if d.Verdict == "" {
		// The session is the caller's copy: restamping it is this turn's
		// change, written with the rest.
		dd := *d
		dd.Rules = e.rules.Digest
		t.sess.Dialog = &dd
		t.dirty, t.rulesChanged = true, true
	}
	return t
}

// onRules returns an engine like e on the prior rules of that digest, nil
// when this process no longer has them.
func (e *Engine) onRules(digest string) *Engine {
	if v, ok := e.variants.Load(digest); ok {
		return v.(*Engine)
	}
	if e.opts.PriorRules == nil {
		return nil
	}
	rs := e.opts.PriorRules(digest)
	if rs == nil {
		return nil
	}
	o := e.opts
	o.Rules, o.PriorRules = rs, nil
	v := New(o)
	v.logKey = e.logKey
	got, _ := e.variants.LoadOrStore(digest, v)
	return got.(*Engine)
}
