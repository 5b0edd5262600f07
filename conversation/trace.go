package conversation

import (
	"context"

	"github.com/qc-ia/conformbot/index"
)

// Trace records what the engine did with one message beyond its Reply,
// for front-ends with a machine-readable contract (`bot ask --json` prints
// the search's decision, score and confidence). Ask for one with
// WithTrace; the engine fills it in as it handles the message.
type Trace struct {
	Search    *index.Result // the FAQ search, when the message was searched
	Truncated bool          // the message was read on its first MaxText characters
	NoRules   bool          // the message asked for the eligibility check, and no rules are loaded
}

type traceKey struct{}

// WithTrace returns a context under which the engine fills in tr.
func WithTrace(ctx context.Context, tr *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, tr)
}

func traceOf(ctx context.Context) *Trace {
	tr, _ := ctx.Value(traceKey{}).(*Trace)
	return tr
}
