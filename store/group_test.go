package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store"
	"github.com/qc-ia/conformbot/store/memstore"
	"github.com/qc-ia/conformbot/store/storetest"
)

// backend is a memstore that writes groups, counts them, and fails as told.
type backend struct {
	*memstore.Store
	mu       sync.Mutex
	groups   []int         // size of each group written
	written  chan struct{} // one send per group written, if set
	failAll  bool          // AddEvents fails
	badEntry string        // AddReview of this entry fails
	closed   bool
}

func newBackend() *backend { return &backend{Store: memstore.New()} }

func (b *backend) AddEvents(ctx context.Context, rs []conversation.Review, qs []conversation.Unanswered) error {
	b.mu.Lock()
	fail := b.failAll
	if !fail {
		b.groups = append(b.groups, len(rs)+len(qs))
	}
	b.mu.Unlock()
	if fail {
		return errors.New("disk full")
	}
	for _, r := range rs {
		_ = b.Store.AddReview(ctx, r)
	}
	for _, q := range qs {
		_ = b.Store.AddUnanswered(ctx, q)
	}
	select {
	case b.written <- struct{}{}:
	default: // nobody waits (nil), or already told
	}
	return nil
}

func (b *backend) AddReview(ctx context.Context, r conversation.Review) error {
	if r.Entry == b.badEntry {
		return errors.New("constraint failed")
	}
	return b.Store.AddReview(ctx, r)
}

func (b *backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

func (b *backend) kept(t *testing.T) int {
	t.Helper()
	rs, err := b.Store.Reviews(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

func review(i int) conversation.Review {
	return conversation.Review{Kind: conversation.ReviewAnswer, Entry: fmt.Sprint("e", i), Band: 80}
}

func TestGroupEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	long := time.Hour // a group never written by its timer within a test

	t.Run("waits, then reads see it", func(t *testing.T) {
		t.Parallel()
		b := newBackend()
		g := store.GroupEvents(b, store.GroupOptions{Delay: long})
		if err := g.AddReview(ctx, review(1)); err != nil {
			t.Fatal(err)
		}
		if n := b.kept(t); n != 0 {
			t.Fatalf("%d events written at once; want them to wait for their group", n)
		}
		rs, err := g.Reviews(ctx, time.Time{})
		if err != nil || len(rs) != 1 || rs[0].Entry != "e1" {
			t.Fatalf("Reviews = %+v, %v; want the waiting event", rs, err)
		}
		if err := g.AddUnanswered(ctx, conversation.Unanswered{Text: "q", Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		qs, err := g.Unanswered(ctx, 10)
		if err != nil || len(qs) != 1 || qs[0].At.IsZero() {
			t.Fatalf("Unanswered = %+v, %v; want the waiting question, stamped", qs, err)
		}
	})

	t.Run("the timer writes one group", func(t *testing.T) {
		t.Parallel()
		b := newBackend()
		b.written = make(chan struct{}, 1)
		g := store.GroupEvents(b, store.GroupOptions{Delay: time.Millisecond})
		for i := range 3 {
			if err := g.AddReview(ctx, review(i)); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-b.written:
		case <-time.After(10 * time.Second):
			t.Fatal("the group was never written")
		}
		// The three were queued before 1 ms passed, or the rest wait for
		// a second group: either way all are kept, none twice.
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
		if n := b.kept(t); n != 3 {
			t.Errorf("%d events kept; want 3", n)
		}
	})

	t.Run("a full group is written by the turn that fills it", func(t *testing.T) {
		t.Parallel()
		b := newBackend()
		g := store.GroupEvents(b, store.GroupOptions{Delay: long, Size: 3})
		for i := range 3 {
			if err := g.AddReview(ctx, review(i)); err != nil {
				t.Fatal(err)
			}
		}
		if n := b.kept(t); n != 3 {
			t.Fatalf("%d events written once the group was full; want 3", n)
		}
		if fmt.Sprint(b.groups) != "[3]" {
			t.Errorf("groups written %v; want one of 3", b.groups)
		}
	})

	t.Run("close writes what waits", func(t *testing.T) {
		t.Parallel()
		b := newBackend()
		g := store.GroupEvents(b, store.GroupOptions{Delay: long})
		for i := range 5 {
			if err := g.AddReview(ctx, review(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.AddUnanswered(ctx, conversation.Unanswered{Text: "q", Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
		qs, _ := b.Store.Unanswered(ctx, 10)
		if n := b.kept(t); n != 5 || len(qs) != 1 || !b.closed || fmt.Sprint(b.groups) != "[6]" {
			t.Fatalf("after Close: %d reviews, %d questions, closed %v, groups %v; want 5, 1, true, one of 6", n, len(qs), b.closed, b.groups)
		}
		// After Close an event goes straight to the backend.
		if err := g.AddReview(ctx, review(9)); err != nil || b.kept(t) != 6 {
			t.Errorf("AddReview after Close: %v, %d kept; want it written", err, b.kept(t))
		}
	})

	t.Run("a failed group is not lost silently", func(t *testing.T) {
		t.Parallel()
		b := newBackend()
		b.failAll, b.badEntry = true, "e2"
		var lost int
		var lostErr error
		g := store.GroupEvents(b, store.GroupOptions{Delay: long, OnError: func(n int, err error) { lost, lostErr = n, err }})
		for i := range 4 {
			if err := g.AddReview(ctx, review(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.Flush(ctx); err == nil {
			t.Error("Flush = nil; want the error of the event not kept")
		}
		if n := b.kept(t); n != 3 {
			t.Errorf("%d events kept after the group failed; want the 3 good ones, one at a time", n)
		}
		if lost != 1 || lostErr == nil {
			t.Errorf("OnError told %d, %v; want 1 event and its error", lost, lostErr)
		}
	})

	t.Run("concurrent turns", func(t *testing.T) {
		t.Parallel()
		b := newBackend()
		g := store.GroupEvents(b, store.GroupOptions{Delay: time.Millisecond, Size: 7})
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := range 50 {
					if err := g.AddReview(ctx, review(w*100+i)); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		rs, err := g.Reviews(ctx, time.Time{})
		if err != nil || len(rs) != 400 {
			t.Fatalf("Reviews = %d events, %v; want 400", len(rs), err)
		}
		seen := map[string]bool{}
		for _, r := range rs {
			if seen[r.Entry] {
				t.Fatalf("event %s kept twice", r.Entry)
			}
			seen[r.Entry] = true
		}
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// A grouped store is still a store: the conformance suite, on a backend
// without group writes (one at a time) and on one with.
func TestGroupedConformance(t *testing.T) {
	for _, groups := range []bool{false, true} {
		t.Run(fmt.Sprint("group writes ", groups), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
				m := memstore.New()
				m.Now = now
				var s store.Store = m
				if groups {
					s = &backend{Store: m}
				}
				g := store.GroupEvents(s, store.GroupOptions{Delay: time.Hour, Now: now})
				t.Cleanup(func() { g.Close() })
				return g
			})
		})
	}
}
