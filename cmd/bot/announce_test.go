package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/internal/pgtest"
	"github.com/qc-ia/conformbot/store"
	"github.com/qc-ia/conformbot/store/postgres"
	"github.com/qc-ia/conformbot/store/sqlite"
)

// fakeOut is a platform that records what it is asked to post, or fails.
type fakeOut struct {
	mu   sync.Mutex
	got  map[string][]conversation.Reply // by channel id
	fail bool
}

func (f *fakeOut) Announce(_ context.Context, ch conversation.Channel, r conversation.Reply) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return errors.New("channel_not_found")
	}
	if f.got == nil {
		f.got = map[string][]conversation.Reply{}
	}
	f.got[ch.ID] = append(f.got[ch.ID], r)
	return nil
}

func (f *fakeOut) count(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.got[id])
}

func editedKB(t *testing.T, answer string) *faq.KB {
	t.Helper()
	base, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	kb := *base
	kb.Entries = append([]faq.Entry(nil), base.Entries...)
	if answer != "" {
		kb.Entries[0].Answer = answer
	}
	return &kb
}

func openSQLite(t *testing.T, dir string) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Two replicas on one database load the same new content: each channel
// gets the announcement once; the first content ever is a baseline; a
// replica started later on the same content announces nothing again.
func TestAnnounceOncePerChange(t *testing.T) {
	t.Parallel()
	for _, b := range []struct {
		name string
		open func(t *testing.T) func() store.Store // each call: another replica's handle
	}{
		{"sqlite", func(t *testing.T) func() store.Store {
			dir := t.TempDir()
			return func() store.Store { return openSQLite(t, dir) }
		}},
		{"postgres", func(t *testing.T) func() store.Store {
			url := pgtest.URL(t)
			return func() store.Store {
				st, err := postgres.Open(context.Background(), url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
		}},
	} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			announceOncePerChange(t, b.open(t))
		})
	}
}

func announceOncePerChange(t *testing.T, replica func() store.Store) {
	ctx := context.Background()
	st1, st2 := replica(), replica()
	slack1, slack2, teams1, teams2 := &fakeOut{}, &fakeOut{}, &fakeOut{}, &fakeOut{}
	r1 := newAnnouncer(st1, map[string]conversation.Announcer{"slack": slack1, "teams": teams1}, slog.New(slog.DiscardHandler))
	r2 := newAnnouncer(st2, map[string]conversation.Announcer{"slack": slack2, "teams": teams2}, slog.New(slog.DiscardHandler))

	if err := r1.publish(ctx, editedKB(t, "")); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []conversation.Channel{{Platform: "slack", ID: "C1", Lang: "fr"}, {Platform: "teams", ID: "19:t", Address: "https://smba/", Lang: "en"}} {
		if _, err := st1.Subscribe(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	r1.deliver(ctx)
	if n := slack1.count("C1") + teams1.count("19:t"); n != 0 {
		t.Fatalf("the first content announced %d messages; want a silent baseline", n)
	}

	kb := editedKB(t, "Nouveau texte officiel.")
	var wg sync.WaitGroup
	for _, r := range []*announcer{r1, r2} {
		wg.Go(func() {
			if err := r.publish(ctx, kb); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wg.Go(func() { r1.deliver(ctx) })
	wg.Go(func() { r2.deliver(ctx) })
	wg.Wait()
	if s, tm := slack1.count("C1")+slack2.count("C1"), teams1.count("19:t")+teams2.count("19:t"); s != 1 || tm != 1 {
		t.Fatalf("slack got %d, teams %d announcements; want 1 each", s, tm)
	}
	var en conversation.Reply
	for _, f := range []*fakeOut{teams1, teams2} {
		if rs := f.got["19:t"]; len(rs) == 1 {
			en = rs[0]
		}
	}
	if txt := en.PlainText(); en.Lang != conversation.LangEN || !strings.Contains(txt, "Answer changed") || !strings.Contains(txt, "Nouveau texte officiel.") {
		t.Errorf("teams announcement (subscribed in English):\n%s", txt)
	}

	// A restart on the same content: nothing new to say.
	r3 := newAnnouncer(replica(), map[string]conversation.Announcer{"slack": slack1, "teams": teams1}, slog.New(slog.DiscardHandler))
	if err := r3.publish(ctx, kb); err != nil {
		t.Fatal(err)
	}
	r3.deliver(ctx)
	if s := slack1.count("C1") + slack2.count("C1"); s != 1 {
		t.Errorf("after a restart slack got %d announcements in all; want still 1", s)
	}
	// Phrasings are not official text: no announcement.
	kb2 := editedKB(t, "Nouveau texte officiel.")
	kb2.Entries[1].Alternates = append(kb2.Entries[1].Alternates, "autre formulation")
	if err := r3.publish(ctx, kb2); err != nil {
		t.Fatal(err)
	}
	r3.deliver(ctx)
	if s := slack1.count("C1") + slack2.count("C1"); s != 1 {
		t.Errorf("a new phrasing announced: slack got %d in all", s)
	}
}

// A channel the bot can no longer post to is dropped after three failed
// deliveries in a row, and the operator is told in the log.
func TestAnnounceDropsFailingChannel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openSQLite(t, t.TempDir())
	var logs bytes.Buffer
	bad, good := &fakeOut{fail: true}, &fakeOut{}
	a := newAnnouncer(st, map[string]conversation.Announcer{"discord": bad, "slack": good}, slog.New(slog.NewTextHandler(&logs, nil)))
	a.retry = 0 // due again at once
	if err := a.publish(ctx, editedKB(t, "")); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []conversation.Channel{{Platform: "discord", ID: "D9", Lang: "fr"}, {Platform: "slack", ID: "C1", Lang: "fr"}} {
		if _, err := st.Subscribe(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.publish(ctx, editedKB(t, "Autre texte.")); err != nil {
		t.Fatal(err)
	}
	a.deliver(ctx) // retries at once until the channel is dropped
	subs, _ := st.Subscriptions(ctx)
	if len(subs) != 1 || subs[0].ID != "C1" {
		t.Errorf("subscriptions %+v; want the failing discord channel dropped", subs)
	}
	if good.count("C1") != 1 {
		t.Errorf("the working channel got %d announcements; want 1", good.count("C1"))
	}
	out := logs.String()
	if n := strings.Count(out, "announcement not delivered; retrying later"); n != 2 {
		t.Errorf("%d retry warnings; want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "channel unsubscribed") || !strings.Contains(out, "channel=D9") {
		t.Errorf("the operator is not told which channel was dropped:\n%s", out)
	}
}
