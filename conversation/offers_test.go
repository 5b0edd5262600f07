package conversation_test

import (
	"context"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/store/memstore"
)

// ambiguous is a search that always offers the first three entries.
type ambiguous struct{ hits []index.Hit }

func (a ambiguous) Search(context.Context, string) (index.Result, error) {
	return index.Result{Decision: index.Ambiguous, Hits: a.hits, Confidence: 0.4}, nil
}

// Each reply offering choices has its own id, and a choice taken counts
// for the latest reply that offered it, once: the report can tell which
// replies had none taken.
func TestChoicesPerReply(t *testing.T) {
	t.Parallel()
	f := load(t)
	var hits []index.Hit
	for i := range 3 {
		hits = append(hits, index.Hit{Entry: &f.kb.Entries[i], Confidence: 0.3})
	}
	st := memstore.New()
	e := conversation.New(conversation.Options{KB: f.kb, Index: ambiguous{hits}, Rules: f.rs, Store: st})
	send := func(text, action string) {
		t.Helper()
		if _, err := e.Handle(context.Background(), conversation.Message{Platform: "web", UserID: "u", ConversationID: "c", Text: text, Action: action}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := f.kb.Entries[0].ID, f.kb.Entries[1].ID
	send("première question floue", "")
	send("deuxième question floue", "")
	send("", "faq:"+b) // from the second reply
	send("", "faq:"+a) // from the first, still remembered
	send("", "faq:"+a) // nothing left offering it: opened, not chosen
	evs, _ := st.Reviews(context.Background(), time.Time{})
	offers := map[string][]string{}
	var order []string
	taken := map[string]string{}
	for _, ev := range evs {
		switch ev.Kind {
		case conversation.ReviewOffered:
			if ev.Offer == "" {
				t.Fatalf("offered event without a reply id: %+v", ev)
			}
			if offers[ev.Offer] == nil {
				order = append(order, ev.Offer)
			}
			offers[ev.Offer] = append(offers[ev.Offer], ev.Entry)
		case conversation.ReviewTaken:
			if _, dup := taken[ev.Offer]; dup {
				t.Errorf("two choices taken from reply %s", ev.Offer)
			}
			taken[ev.Offer] = ev.Entry
		}
	}
	if len(order) != 2 || len(offers[order[0]]) != 3 || len(offers[order[1]]) != 3 {
		t.Fatalf("offers %v; want two replies of three choices", offers)
	}
	if len(taken) != 2 || taken[order[1]] != b || taken[order[0]] != a {
		t.Errorf("taken %v; want %s from the second reply and %s from the first", taken, b, a)
	}
}
