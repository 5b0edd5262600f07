// Package testengine holds a fake conversation engine for adapter tests:
// it records the messages an adapter hands over and answers through a
// function the test sets.
package testengine

import (
	"context"
	"sync"

	"github.com/qc-ia/conformbot/conversation"
)

// Recorder is a conversation.Handler safe for concurrent use.
type Recorder struct {
	// Reply answers each message; nil answers "ok" in French.
	Reply func(conversation.Message) (conversation.Reply, error)

	mu   sync.Mutex
	msgs []conversation.Message
}

var _ conversation.Handler = (*Recorder)(nil)

// Handle records m and answers it.
func (r *Recorder) Handle(_ context.Context, m conversation.Message) (conversation.Reply, error) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	if r.Reply != nil {
		return r.Reply(m)
	}
	return conversation.Reply{Lang: conversation.LangFR, Text: []string{"ok"}}, nil
}

// Messages returns a copy of the messages handled so far, in order.
func (r *Recorder) Messages() []conversation.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]conversation.Message(nil), r.msgs...)
}
