package conversation_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store/sqlite"
)

func benchChat(b *testing.B) *chat {
	st, err := sqlite.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	c, _ := newChatWith(b, st)
	return c
}

// A question answered from the FAQ, with the session read from SQLite.
func BenchmarkHandleQuestion(b *testing.B) {
	c := benchChat(b)
	m := c.m
	m.Text = "Puis-je encore utiliser la version web de ChatGPT?"
	ctx := context.Background()
	for b.Loop() {
		r, err := c.e.Handle(ctx, m)
		if err != nil || r.Answer == nil {
			b.Fatalf("no answer: %v", err)
		}
	}
}

// One dialog step: read the session, evaluate the rules, write the session.
// Going back and forth keeps the dialog at the same depth.
func BenchmarkHandleDialogStep(b *testing.B) {
	c := benchChat(b)
	first := c.say("admissibilité").Question.Fact
	ctx := context.Background()
	yes := c.m
	yes.Action = "elig:ans:" + first + ":yes"
	back := c.m
	back.Action = conversation.ActEligBack
	for b.Loop() {
		if r, err := c.e.Handle(ctx, yes); err != nil || r.Question == nil || r.Question.Step != 2 {
			b.Fatalf("answer: %v %+v", err, r.Question)
		}
		if r, err := c.e.Handle(ctx, back); err != nil || r.Question == nil || r.Question.Step != 1 {
			b.Fatalf("back: %v %+v", err, r.Question)
		}
	}
}

// Questions of many users at once, on every core: answers per second is
// 1e9 / (ns/op).
func BenchmarkHandleQuestionParallel(b *testing.B) {
	c := benchChat(b)
	ctx := context.Background()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		m := c.m
		m.UserID = fmt.Sprint("user-", n.Add(1))
		m.Text = "Puis-je encore utiliser la version web de ChatGPT?"
		for pb.Next() {
			if r, err := c.e.Handle(ctx, m); err != nil || r.Answer == nil {
				b.Errorf("no answer: %v", err)
				return
			}
		}
	})
}
