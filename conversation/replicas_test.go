package conversation_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store/memstore"
	"github.com/qc-ia/conformbot/store/sqlite"
)

// Two engines on one store stand for two replicas: their per-process locks
// do not see each other, so only the store's compare-and-set keeps steps
// from being lost or doubled.
func TestConcurrentStepsAcrossReplicas(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) (conversation.Store, conversation.Store){
		"memory": func(*testing.T) (conversation.Store, conversation.Store) { s := memstore.New(); return s, s },
		"sqlite": func(t *testing.T) (conversation.Store, conversation.Store) {
			dir := t.TempDir()
			var out [2]conversation.Store
			for i := range out {
				st, err := sqlite.Open(context.Background(), dir) // two pools on one file, as two processes
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				out[i] = st
			}
			return out[0], out[1]
		},
	}
	for name, open := range stores {
		t.Run(name+"/typed answers applied one after the other", func(t *testing.T) {
			t.Parallel()
			for trial := range 10 {
				a, b := open(t)
				c1, _ := newChatWith(t, a)
				c2, _ := newChatWith(t, b)
				c1.say("admissibilité")
				const n = 3
				steps := make(chan int, n)
				var wg sync.WaitGroup
				for i := range n {
					c := []*chat{c1, c2}[i%2]
					wg.Go(func() {
						m := c.m
						m.Text = "oui"
						r, err := c.e.Handle(context.Background(), m)
						if err != nil {
							t.Error(err)
						}
						switch {
						case r.Question != nil && strings.Contains(strings.Join(r.Text, " "), "Déjà répondu"):
							steps <- -1 // refused, said so
						case r.Question != nil:
							steps <- r.Question.Step
						default:
							steps <- 0
						}
					})
				}
				wg.Wait()
				close(steps)
				seen, applied := map[int]bool{}, 0
				for s := range steps {
					if s > 0 && seen[s] {
						t.Fatalf("trial %d: step %d reached twice", trial, s)
					}
					seen[s] = true
					if s >= 0 {
						applied++
					}
				}
				r := c1.say("aide")
				if r.Question == nil || r.Question.Step != applied+1 {
					t.Fatalf("trial %d: %d answers applied, next step %v; want %d", trial, applied, r.Question, applied+1)
				}
			}
		})
		t.Run(name+"/one button clicked on both replicas is applied once", func(t *testing.T) {
			t.Parallel()
			for trial := range 10 {
				a, b := open(t)
				c1, _ := newChatWith(t, a)
				c2, _ := newChatWith(t, b)
				q := c1.click(conversation.ActEligStart).Question
				id := "elig:ans:" + q.Fact + ":unknown"
				replies := make([]conversation.Reply, 4)
				var wg sync.WaitGroup
				for i := range replies {
					c := []*chat{c1, c2}[i%2]
					wg.Go(func() {
						m := c.m
						m.Action = id
						replies[i], _ = c.e.Handle(context.Background(), m)
					})
				}
				wg.Wait()
				applied := 0
				for _, r := range replies {
					said := strings.Join(r.Text, " ")
					if strings.Contains(said, "déjà répondu") || strings.Contains(said, "Déjà répondu") {
						continue
					}
					applied++
				}
				if applied != 1 {
					t.Fatalf("trial %d: the click was applied %d times; want once, the others told « déjà répondu »", trial, applied)
				}
				if r := c2.say("aide"); r.Question == nil || r.Question.Step != 2 {
					t.Fatalf("trial %d: next step %v; want 2", trial, r.Question)
				}
			}
		})
	}
}

// A turn decided again after a conflict counts its vote once.
func TestFeedbackOnceUnderConflict(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	c1, f := newChatWith(t, st)
	c2, _ := newChatWith(t, st)
	id := f.kb.Entries[0].ID
	var wg sync.WaitGroup
	for i := range 6 {
		c := []*chat{c1, c2}[i%2]
		wg.Go(func() {
			m := c.m
			m.Action = "fb:" + id + ":up"
			if _, err := c.e.Handle(context.Background(), m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, _ := st.FeedbackCounts(context.Background())
	if len(got) != 1 || got[0].Up != 1 {
		t.Errorf("feedback %v; want one vote up for %s", got, id)
	}
}

// losingStore loses every session write, as under endless contention.
type losingStore struct{ conversation.Store }

func (losingStore) PutSession(context.Context, string, conversation.Session, int64, time.Duration) (bool, error) {
	return false, nil
}

// A message that loses every retry is answered « Déjà répondu », and what
// it would have done (a vote) is not done.
func TestRefusedAfterRetries(t *testing.T) {
	t.Parallel()
	st := losingStore{memstore.New()}
	var stats []conversation.TurnStats
	f := load(t)
	e := conversation.New(conversation.Options{KB: f.kb, Index: f.ix, Rules: f.rs, Store: st,
		OnTurn: func(s conversation.TurnStats) { stats = append(stats, s) }})
	m := conversation.Message{Platform: conversation.PlatformWeb, UserID: "u", ConversationID: "c",
		Action: "fb:" + f.kb.Entries[0].ID + ":up"}
	r, err := e.Handle(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(r.Text, " "); !strings.Contains(said, "Déjà répondu") {
		t.Errorf("reply %q; want « Déjà répondu »", said)
	}
	if fb, _ := st.FeedbackCounts(context.Background()); len(fb) != 0 {
		t.Errorf("the refused vote was counted: %v", fb)
	}
	if len(stats) != 1 || stats[0].Kind != "conflict" || stats[0].Conflicts < 2 {
		t.Errorf("turn stats %+v; want one conflict turn after several retries", stats)
	}
}
