// Package storetest is the conformance suite every store.Store
// implementation passes.
package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/testclock"
	"github.com/qc-ia/conformbot/store"
)

// Clock is a settable time source for expiry tests.
type Clock = testclock.Clock

// NewClock starts at a fixed instant.
func NewClock() *Clock { return testclock.New(time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)) }

// Run checks a Store. open returns a new, empty store reading time from now.
func Run(t *testing.T, open func(t *testing.T, now func() time.Time) store.Store) {
	ctx := context.Background()
	sess := conversation.Session{Lang: conversation.LangEN, Voted: []string{"contact"},
		Dialog: &conversation.DialogState{Answers: []conversation.FactAnswer{{Fact: "organisme_public", Value: conversation.Yes}}}}

	t.Run("session ttl", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		if _, v, err := s.GetSession(ctx, "k"); v != 0 || err != nil {
			t.Fatalf("GetSession(missing) = version %v, err %v; want 0, nil", v, err)
		}
		if ok, err := s.PutSession(ctx, "k", sess, 0, time.Minute); !ok || err != nil {
			t.Fatalf("PutSession(new) = %v, %v; want true, nil", ok, err)
		}
		got, v, err := s.GetSession(ctx, "k")
		if v == 0 || err != nil {
			t.Fatalf("GetSession = version %v, err %v; want a version, nil", v, err)
		}
		if got.Lang != sess.Lang || got.Dialog == nil || len(got.Dialog.Answers) != 1 ||
			got.Dialog.Answers[0] != sess.Dialog.Answers[0] || len(got.Voted) != 1 {
			t.Errorf("GetSession = %+v; want %+v", got, sess)
		}
		if _, v, _ := s.GetSession(ctx, "other"); v != 0 {
			t.Error("GetSession(other key) found a session")
		}
		clk.Advance(59 * time.Second)
		if _, v, _ := s.GetSession(ctx, "k"); v == 0 {
			t.Error("session gone before its ttl")
		}
		clk.Advance(2 * time.Second)
		if _, v, _ := s.GetSession(ctx, "k"); v != 0 {
			t.Error("session still there after its ttl")
		}
		// An expired session is replaced as if absent.
		if ok, err := s.PutSession(ctx, "k", sess, 0, time.Minute); !ok || err != nil {
			t.Errorf("PutSession over an expired session = %v, %v; want true, nil", ok, err)
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

	t.Run("reviews", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		t0 := clk.Now()
		in := []conversation.Review{
			{Kind: conversation.ReviewAnswer, Entry: "contact", Band: 65},
			{Kind: conversation.ReviewOffered, Entry: "exceptions", Offer: "o1"},
			{Kind: conversation.ReviewReason, Entry: "contact", Reason: conversation.ReasonUnclear},
		}
		for _, r := range in {
			clk.Advance(time.Second)
			if err := s.AddReview(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Reviews(ctx, t0.Add(2*time.Second))
		if err != nil || len(got) != 2 || got[0].Kind != conversation.ReviewOffered || got[0].Offer != "o1" || got[1].Reason != conversation.ReasonUnclear ||
			!got[1].At.Equal(clk.Now()) {
			t.Errorf("Reviews(since 2 s) = %+v, %v; want the last two, oldest first", got, err)
		}
		all, _ := s.Reviews(ctx, time.Time{})
		if len(all) != 3 || all[0].Band != 65 || all[0].Entry != "contact" {
			t.Errorf("Reviews(all) = %+v; want 3 with band 65 first", all)
		}
		clk.Advance(48 * time.Hour)
		if err := s.PurgeExpired(ctx, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		if left, _ := s.Reviews(ctx, time.Time{}); len(left) != 0 {
			t.Errorf("reviews after purge = %+v; want none", left)
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
		mustPut(t, s, "short", sess)
		must(s.PutShare(ctx, "tok-old", []byte("x"), time.Minute))
		clk.Advance(48 * time.Hour)
		must(s.AddFeedback(ctx, "new", false))
		must(s.AddUnanswered(ctx, conversation.Unanswered{Text: "new", Lang: "en", At: clk.Now()}))
		mustPut(t, s, "long", sess)
		must(s.PurgeExpired(ctx, 24*time.Hour))
		fb, _ := s.FeedbackCounts(ctx)
		if len(fb) != 1 || fb[0].EntryID != "new" {
			t.Errorf("feedback after purge = %v; want only new", fb)
		}
		un, _ := s.Unanswered(ctx, 10)
		if len(un) != 1 || un[0].Text != "new" {
			t.Errorf("unanswered after purge = %v; want only new", un)
		}
		if _, v, _ := s.GetSession(ctx, "long"); v == 0 {
			t.Error("live session purged")
		}
		if _, ok, _ := s.GetShare(ctx, "tok-old"); ok {
			t.Error("expired share still there")
		}
	})

	t.Run("compare and set", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		mustPut(t, s, "k", sess)
		if ok, err := s.PutSession(ctx, "k", sess, 0, time.Hour); ok || err != nil {
			t.Errorf("PutSession(version 0) over a live session = %v, %v; want false, nil", ok, err)
		}
		_, v1, _ := s.GetSession(ctx, "k")
		next := sess
		next.Lang = conversation.LangFR
		if ok, err := s.PutSession(ctx, "k", next, v1, time.Hour); !ok || err != nil {
			t.Fatalf("PutSession(current version) = %v, %v; want true, nil", ok, err)
		}
		got, v2, _ := s.GetSession(ctx, "k")
		if v2 == v1 || got.Lang != conversation.LangFR {
			t.Errorf("after a write: version %d (was %d), lang %q; want a new version and fr", v2, v1, got.Lang)
		}
		if ok, err := s.PutSession(ctx, "k", sess, v1, time.Hour); ok || err != nil {
			t.Errorf("PutSession(stale version) = %v, %v; want false, nil", ok, err)
		}
		if got, _, _ := s.GetSession(ctx, "k"); got.Lang != conversation.LangFR {
			t.Error("a refused write changed the session")
		}
		// A writer that read the session before it expired, was purged and
		// was started again by someone else must not overwrite the new one.
		clk.Advance(2 * time.Hour)
		if err := s.PurgeExpired(ctx, 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		mustPut(t, s, "k", sess)
		if ok, err := s.PutSession(ctx, "k", next, v1, time.Hour); ok || err != nil {
			t.Errorf("PutSession(version of a purged row) = %v, %v; want false, nil", ok, err)
		}
	})

	// Read–change–write loops on one key, retried on conflict, lose no
	// increment: the store's compare-and-set is atomic.
	t.Run("no lost update", func(t *testing.T) {
		t.Parallel()
		s := open(t, time.Now)
		const workers, each = 6, 15
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range each {
					for {
						cur, v, err := s.GetSession(ctx, "counter")
						if err != nil {
							errs <- err
							return
						}
						cur.Voted = append(cur.Voted, "x")
						ok, err := s.PutSession(ctx, "counter", cur, v, time.Hour)
						if err != nil {
							errs <- err
							return
						}
						if ok {
							break
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, _, _ := s.GetSession(ctx, "counter")
		if len(got.Voted) != workers*each {
			t.Errorf("%d increments kept; want %d", len(got.Voted), workers*each)
		}
	})

	t.Run("first seen once among concurrent callers", func(t *testing.T) {
		t.Parallel()
		s := open(t, time.Now)
		var wg sync.WaitGroup
		var mu sync.Mutex
		firsts := 0
		for range 8 {
			wg.Go(func() {
				ok, err := s.FirstSeen(ctx, "evt-race", time.Hour)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					firsts++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if firsts != 1 {
			t.Errorf("%d callers saw the event first; want 1", firsts)
		}
	})

	t.Run("shares", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		if _, ok, err := s.GetShare(ctx, "nope"); ok || err != nil {
			t.Errorf("GetShare(unknown) = %v, %v; want false, nil", ok, err)
		}
		if err := s.PutShare(ctx, "tok", []byte(`{"a":1}`), time.Minute); err != nil {
			t.Fatal(err)
		}
		if b, ok, err := s.GetShare(ctx, "tok"); !ok || err != nil || string(b) != `{"a":1}` {
			t.Errorf("GetShare = %q, %v, %v; want the data", b, ok, err)
		}
		clk.Advance(time.Minute)
		if _, ok, _ := s.GetShare(ctx, "tok"); ok {
			t.Error("share still there after its ttl")
		}
	})

	t.Run("leases", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		try := func(holder string, want bool) {
			t.Helper()
			if got, err := s.TryLease(ctx, "gateway", holder, 30*time.Second); got != want || err != nil {
				t.Errorf("TryLease(%s) = %v, %v; want %v", holder, got, err, want)
			}
		}
		try("a", true)
		try("b", false)
		clk.Advance(20 * time.Second)
		try("a", true) // renewed until +50 s
		clk.Advance(20 * time.Second)
		try("b", false)
		clk.Advance(11 * time.Second) // a did not renew
		try("b", true)
		try("a", false)
		if err := s.ReleaseLease(ctx, "gateway", "a"); err != nil { // not a's: no effect
			t.Fatal(err)
		}
		try("a", false)
		if err := s.ReleaseLease(ctx, "gateway", "b"); err != nil {
			t.Fatal(err)
		}
		try("a", true)
		if got, _ := s.TryLease(ctx, "other", "b", time.Second); !got {
			t.Error("a lease of another name was refused")
		}
	})

	t.Run("purge due", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping = %v", err)
		}
		if err := s.AddUnanswered(ctx, conversation.Unanswered{Text: "old", Lang: "fr", At: clk.Now()}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Hour)
		if ran, err := s.PurgeDue(ctx, time.Hour, 5*time.Minute); !ran || err != nil {
			t.Fatalf("first PurgeDue = %v, %v; want true, nil", ran, err)
		}
		if un, _ := s.Unanswered(ctx, 10); len(un) != 0 {
			t.Errorf("unanswered past retention kept: %v", un)
		}
		clk.Advance(time.Minute)
		if ran, err := s.PurgeDue(ctx, time.Hour, 5*time.Minute); ran || err != nil {
			t.Errorf("PurgeDue a minute after a purge = %v, %v; want false (skipped), nil", ran, err)
		}
		clk.Advance(5 * time.Minute)
		if ran, err := s.PurgeDue(ctx, time.Hour, 5*time.Minute); !ran || err != nil {
			t.Errorf("PurgeDue a period later = %v, %v; want true, nil", ran, err)
		}
	})

	t.Run("subscriptions", func(t *testing.T) {
		t.Parallel()
		s := open(t, NewClock().Now)
		slack := conversation.Channel{Platform: "slack", ID: "C1", Lang: "fr"}
		teams := conversation.Channel{Platform: "teams", ID: "19:x@thread", Address: "https://smba.example/", Lang: "en"}
		for _, c := range []struct {
			ch   conversation.Channel
			want bool
		}{{slack, true}, {teams, true}, {conversation.Channel{Platform: "slack", ID: "C1", Lang: "en"}, false}} {
			if added, err := s.Subscribe(ctx, c.ch); added != c.want || err != nil {
				t.Errorf("Subscribe(%v) = %v, %v; want %v", c.ch, added, err, c.want)
			}
		}
		got, err := s.Subscriptions(ctx)
		slack.Lang = "en" // the second subscription changed the language
		if err != nil || len(got) != 2 || got[0] != slack || got[1] != teams {
			t.Fatalf("Subscriptions = %v, %v; want [%v %v]", got, err, slack, teams)
		}
		if removed, err := s.Unsubscribe(ctx, "slack", "C1"); !removed || err != nil {
			t.Errorf("Unsubscribe = %v, %v; want true", removed, err)
		}
		if removed, err := s.Unsubscribe(ctx, "slack", "C1"); removed || err != nil {
			t.Errorf("second Unsubscribe = %v, %v; want false", removed, err)
		}
		if got, _ := s.Subscriptions(ctx); len(got) != 1 || got[0] != teams {
			t.Errorf("Subscriptions after Unsubscribe = %v; want [%v]", got, teams)
		}
	})

	t.Run("publish once", func(t *testing.T) {
		t.Parallel()
		s := open(t, NewClock().Now)
		if v, sum, err := s.Published(ctx); v != "" || sum != nil || err != nil {
			t.Fatalf("Published (new store) = %q, %q, %v; want none", v, sum, err)
		}
		if _, err := s.Subscribe(ctx, conversation.Channel{Platform: "slack", ID: "C1", Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Publish(ctx, "", "v1", []byte("s1"), nil); !ok || err != nil {
			t.Fatalf("Publish(first) = %v, %v; want true", ok, err)
		}
		if ds, _ := s.ClaimDeliveries(ctx, []string{"slack"}, 10, time.Minute); len(ds) != 0 {
			t.Errorf("a baseline (nil body) queued deliveries: %+v", ds)
		}
		var wg sync.WaitGroup
		wins := make(chan bool, 8)
		for range 8 {
			wg.Go(func() {
				ok, err := s.Publish(ctx, "v1", "v2", []byte("s2"), []byte("what changed"))
				if err != nil {
					t.Error(err)
				}
				wins <- ok
			})
		}
		wg.Wait()
		close(wins)
		n := 0
		for ok := range wins {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Errorf("8 replicas published v1 -> v2: %d won; want 1", n)
		}
		if v, sum, _ := s.Published(ctx); v != "v2" || string(sum) != "s2" {
			t.Errorf("Published = %q, %q; want v2, s2", v, sum)
		}
		if ok, _ := s.Publish(ctx, "v1", "v3", nil, nil); ok {
			t.Error("Publish from a stale version succeeded")
		}
		ds, err := s.ClaimDeliveries(ctx, []string{"slack"}, 10, time.Minute)
		if err != nil || len(ds) != 1 || string(ds[0].Body) != "what changed" || ds[0].Channel.ID != "C1" || ds[0].Channel.Lang != "fr" {
			t.Fatalf("ClaimDeliveries = %+v, %v; want one delivery to C1", ds, err)
		}
	})

	t.Run("deliveries", func(t *testing.T) {
		t.Parallel()
		clk := NewClock()
		s := open(t, clk.Now)
		for _, ch := range []conversation.Channel{{Platform: "slack", ID: "C1", Lang: "fr"},
			{Platform: "discord", ID: "D1", Lang: "fr"}, {Platform: "teams", ID: "T1", Address: "https://smba/", Lang: "fr"}} {
			if _, err := s.Subscribe(ctx, ch); err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := s.Publish(ctx, "", "v1", []byte("s"), []byte("body")); !ok || err != nil {
			t.Fatal(ok, err)
		}
		ds, err := s.ClaimDeliveries(ctx, []string{"slack", "teams"}, 10, time.Minute)
		if err != nil || len(ds) != 2 {
			t.Fatalf("ClaimDeliveries(slack, teams) = %+v, %v; want 2", ds, err)
		}
		if again, _ := s.ClaimDeliveries(ctx, []string{"slack", "teams", "discord"}, 10, time.Minute); len(again) != 1 || again[0].Channel.Platform != "discord" {
			t.Fatalf("claimed deliveries handed out again: %+v; want only discord's", again)
		}
		var slack, teams store.Delivery
		for _, d := range ds {
			switch d.Channel.Platform {
			case "slack":
				slack = d
			case "teams":
				teams = d
			}
		}
		if teams.Channel.Address != "https://smba/" {
			t.Errorf("teams delivery address = %q", teams.Channel.Address)
		}
		if err := s.Delivered(ctx, slack.ID); err != nil {
			t.Fatal(err)
		}
		// Teams keeps failing: retried after the delay, dropped at the third.
		for i := 1; i <= 3; i++ {
			dropped, err := s.DeliveryFailed(ctx, teams.ID, time.Minute, 3)
			if err != nil || dropped != (i == 3) {
				t.Fatalf("DeliveryFailed #%d = %v, %v; want dropped=%v", i, dropped, err, i == 3)
			}
			if i == 3 {
				break
			}
			if ds, _ := s.ClaimDeliveries(ctx, []string{"teams"}, 10, time.Minute); len(ds) != 0 {
				t.Errorf("failed delivery due again before its retry delay: %+v", ds)
			}
			clk.Advance(time.Minute)
			ds, _ := s.ClaimDeliveries(ctx, []string{"teams"}, 10, time.Minute)
			if len(ds) != 1 || ds[0].Failures != i {
				t.Fatalf("retry #%d = %+v; want one delivery with %d failures", i, ds, i)
			}
		}
		subs, _ := s.Subscriptions(ctx)
		if len(subs) != 2 || slices.ContainsFunc(subs, func(c conversation.Channel) bool { return c.Platform == "teams" }) {
			t.Errorf("Subscriptions after 3 failures = %v; want teams dropped", subs)
		}
		clk.Advance(2 * time.Minute) // the discord lease ended: handed out again
		if ds, _ := s.ClaimDeliveries(ctx, []string{"slack", "teams", "discord"}, 10, time.Minute); len(ds) != 1 || ds[0].Channel.Platform != "discord" {
			t.Errorf("after the lease, ClaimDeliveries = %+v; want discord's again, slack's gone", ds)
		}
		// A success clears the failures.
		if _, err := s.Subscribe(ctx, conversation.Channel{Platform: "teams", ID: "T1", Address: "https://smba/", Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Publish(ctx, "v1", "v2", []byte("s"), []byte("b2")); !ok {
			t.Fatal("Publish v2 failed")
		}
		clk.Advance(2 * time.Minute)
		ds, _ = s.ClaimDeliveries(ctx, []string{"teams"}, 10, time.Minute)
		if len(ds) != 1 {
			t.Fatalf("teams v2 deliveries = %+v", ds)
		}
		if _, err := s.DeliveryFailed(ctx, ds[0].ID, 0, 3); err != nil {
			t.Fatal(err)
		}
		ds, _ = s.ClaimDeliveries(ctx, []string{"teams"}, 10, time.Minute)
		if len(ds) != 1 || ds[0].Failures != 1 {
			t.Fatalf("retry = %+v; want 1 failure", ds)
		}
		if err := s.Delivered(ctx, ds[0].ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.Publish(ctx, "v2", "v3", []byte("s"), []byte("b3")); !ok {
			t.Fatal("Publish v3 failed")
		}
		ds, _ = s.ClaimDeliveries(ctx, []string{"teams"}, 10, time.Minute)
		if len(ds) != 1 || ds[0].Failures != 0 {
			t.Errorf("after a success, failures = %+v; want 0", ds)
		}
		// Deliveries older than the retention are purged.
		clk.Advance(2 * time.Hour)
		if err := s.PurgeExpired(ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		if ds, _ := s.ClaimDeliveries(ctx, []string{"slack", "teams", "discord"}, 10, time.Minute); len(ds) != 0 {
			t.Errorf("deliveries past retention kept: %+v", ds)
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
					_, v, err := s.GetSession(ctx, k)
					if err != nil {
						errs <- err
					}
					if _, err := s.PutSession(ctx, k, sess, v, time.Minute); err != nil {
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

func mustPut(t *testing.T, s store.Store, key string, sess conversation.Session) {
	t.Helper()
	if ok, err := s.PutSession(context.Background(), key, sess, 0, time.Hour); !ok || err != nil {
		t.Fatalf("PutSession(%s) = %v, %v; want true, nil", key, ok, err)
	}
}
