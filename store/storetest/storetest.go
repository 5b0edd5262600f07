// Package storetest is the conformance suite every conversation.Store
// implementation passes.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/testclock"
)

// Clock is a settable time source for expiry tests.
type Clock = testclock.Clock

// NewClock starts at a fixed instant.
func NewClock() *Clock { return testclock.New(time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)) }

// Run checks a Store. open returns a new, empty store reading time from now.
func Run(t *testing.T, open func(t *testing.T, now func() time.Time) conversation.Store) {
	ctx := context.Background()
	sess := conversation.Session{Lang: conversation.LangEN, Voted: []string{"contact"},
		Dialog: &conversation.DialogState{Answers: []conversation.FactAnswer{{Fact: "organisme_public", Value: conversation.Yes}}}}

	t.Run("session ttl", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		if _, ok, err := s.GetSession(ctx, "k"); ok || err != nil {
			t.Fatalf("GetSession(missing) = ok %v, err %v; want false, nil", ok, err)
		}
		if err := s.PutSession(ctx, "k", sess, time.Minute); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.GetSession(ctx, "k")
		if !ok || err != nil {
			t.Fatalf("GetSession = ok %v, err %v; want true, nil", ok, err)
		}
		if got.Lang != sess.Lang || got.Dialog == nil || len(got.Dialog.Answers) != 1 ||
			got.Dialog.Answers[0] != sess.Dialog.Answers[0] || len(got.Voted) != 1 {
			t.Errorf("GetSession = %+v; want %+v", got, sess)
		}
		if _, ok, _ := s.GetSession(ctx, "other"); ok {
			t.Error("GetSession(other key) found a session")
		}
		clk.Advance(59 * time.Second)
		if _, ok, _ := s.GetSession(ctx, "k"); !ok {
			t.Error("session gone before its ttl")
		}
		clk.Advance(2 * time.Second)
		if _, ok, _ := s.GetSession(ctx, "k"); ok {
			t.Error("session still there after its ttl")
		}
	})

	t.Run("first seen", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		for i, want := range []bool{true, false, false} {
			if got, err := s.FirstSeen(ctx, "evt-1", time.Hour); got != want || err != nil {
				t.Errorf("FirstSeen #%d = %v, %v; want %v", i+1, got, err, want)
			}
		}
		if got, _ := s.FirstSeen(ctx, "evt-2", time.Hour); !got {
			t.Error("FirstSeen(another key) = false; want true")
		}
		clk.Advance(time.Hour)
		if got, _ := s.FirstSeen(ctx, "evt-1", time.Hour); !got {
			t.Error("FirstSeen after ttl = false; want true")
		}
	})

	t.Run("feedback and unanswered", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		for _, v := range []struct {
			id string
			up bool
		}{{"contact", true}, {"contact", true}, {"contact", false}, {"exceptions", false}} {
			if err := s.AddFeedback(ctx, v.id, v.up); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.FeedbackCounts(ctx)
		want := []conversation.FeedbackCount{{EntryID: "contact", Up: 2, Down: 1}, {EntryID: "exceptions", Down: 1}}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("FeedbackCounts = %v, %v; want %v", got, err, want)
		}
		for i := range 3 {
			clk.Advance(time.Second)
			if err := s.AddUnanswered(ctx, conversation.Unanswered{Text: fmt.Sprint("q", i), Lang: "fr", At: clk.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		un, err := s.Unanswered(ctx, 2)
		if err != nil || len(un) != 2 || un[0].Text != "q2" || un[1].Text != "q1" || !un[0].At.Equal(clk.Now()) {
			t.Errorf("Unanswered(2) = %+v, %v; want q2, q1, newest first", un, err)
		}
	})

	t.Run("purge", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.AddFeedback(ctx, "old", true))
		must(s.AddUnanswered(ctx, conversation.Unanswered{Text: "old", Lang: "fr", At: clk.Now()}))
		must(s.PutSession(ctx, "short", sess, time.Hour))
		clk.Advance(48 * time.Hour)
		must(s.AddFeedback(ctx, "new", false))
		must(s.AddUnanswered(ctx, conversation.Unanswered{Text: "new", Lang: "en", At: clk.Now()}))
		must(s.PutSession(ctx, "long", sess, time.Hour))
		must(s.PurgeExpired(ctx, 24*time.Hour))
		fb, _ := s.FeedbackCounts(ctx)
		if len(fb) != 1 || fb[0].EntryID != "new" {
			t.Errorf("feedback after purge = %v; want only new", fb)
		}
		un, _ := s.Unanswered(ctx, 10)
		if len(un) != 1 || un[0].Text != "new" {
			t.Errorf("unanswered after purge = %v; want only new", un)
		}
		if _, ok, _ := s.GetSession(ctx, "long"); !ok {
			t.Error("live session purged")
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		s := open(t, time.Now)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 8 {
			wg.Go(func() {
				for j := range 8 {
					k := fmt.Sprint("k", (i+j)%3)
					if err := s.PutSession(ctx, k, sess, time.Minute); err != nil {
						errs <- err
					}
					if _, _, err := s.GetSession(ctx, k); err != nil {
						errs <- err
					}
					if _, err := s.FirstSeen(ctx, fmt.Sprint("e", i, j), time.Minute); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
