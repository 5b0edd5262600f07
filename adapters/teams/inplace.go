package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// One live card. After each reply, a person's conversation keeps live
// buttons on the newest card only: the card a button was clicked on is
// updated in place (PUT) to a compact record of the choice, and any other
// card still holding buttons loses them. The cards are remembered in
// memory only, for a while and up to a bound; a card the process does not
// remember (restart, another replica) is rebuilt from its click's record
// when it was a question, and otherwise left as it was. An update that
// fails never silences the reply: it is posted.

const (
	liveTTL   = 30 * time.Minute // a dialog's session lifetime
	liveBound = 4096             // cards remembered, all conversations together
)

type liveCard struct {
	id    string
	card  *card
	key   string // the conversation and person it was for
	until time.Time
}

type liveCards struct {
	mu    sync.Mutex
	byKey map[string][]string // ids of the cards with live buttons, per person
	byID  map[string]*liveCard
	order []string // eviction order
}

func newLiveCards() *liveCards {
	return &liveCards{byKey: map[string][]string{}, byID: map[string]*liveCard{}}
}

// add remembers the live card id, posted for key.
func (l *liveCards) add(key, id string, c *card, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.order) >= liveBound {
		old := l.order[0]
		l.order = l.order[1:]
		if lc := l.byID[old]; lc != nil {
			delete(l.byID, old)
			l.byKey[lc.key] = remove(l.byKey[lc.key], old)
			if len(l.byKey[lc.key]) == 0 {
				delete(l.byKey, lc.key)
			}
		}
	}
	l.byID[id] = &liveCard{id: id, card: c, key: key, until: now.Add(liveTTL)}
	l.byKey[key] = append(l.byKey[key], id)
	l.order = append(l.order, id)
}

// take forgets and returns key's live cards, and the card id when it is
// remembered (whoever it was for).
func (l *liveCards) take(key, id string, now time.Time) (live []*liveCard, clicked *liveCard) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.byKey[key] {
		if lc := l.byID[x]; lc != nil && now.Before(lc.until) {
			live = append(live, lc)
		}
		delete(l.byID, x)
	}
	delete(l.byKey, key)
	for _, lc := range live {
		if lc.id == id {
			clicked = lc
		}
	}
	return live, clicked
}

func remove(ids []string, id string) []string {
	out := ids[:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// hasSubmit reports whether c has a button that sends something back.
func hasSubmit(c *card) bool {
	found := false
	forActions(c.Body, func(a *cardAction) { found = found || a.Type == "Action.Submit" })
	return found
}

// settled is c without its submit buttons (links stay), then record, if any.
func settled(c *card, record []string) *card {
	out := *c
	out.Body = strip(c.Body)
	for i, r := range record {
		e := textBlock(r)
		if i == 0 {
			e.Weight, e.Separator = "Bolder", true
		}
		out.Body = append(out.Body, e)
	}
	out.Version = minVersion(out.Body)
	out.FallbackText = fallbackText(out.Body)
	return &out
}

func strip(es []element) []element {
	var out []element
	for _, e := range es {
		if e.SelectAction != nil && e.SelectAction.Type == "Action.Submit" {
			e.SelectAction = nil
		}
		if len(e.Actions) > 0 {
			var keep []cardAction
			for _, a := range e.Actions {
				if a.Type != "Action.Submit" {
					keep = append(keep, a)
				}
			}
			if len(keep) == 0 && e.Type == "ActionSet" {
				continue
			}
			e.Actions = keep
		}
		e.Items = strip(e.Items)
		out = append(out, e)
	}
	return out
}

// answeredCard is the compact record of an answered question: « Question
// 3 — Non ✓ » and the question, no buttons.
func answeredCard(rec, prompt string) *card {
	c := newCard()
	h := textBlock(rec)
	h.Weight = "Bolder"
	c.Body = append(c.Body, h)
	if prompt != "" {
		c.Body = append(c.Body, subtle(prompt))
	}
	c.Version, c.FallbackText = minVersion(c.Body), fallbackText(c.Body)
	return c
}

// clickData is the submit data of a card click, zero for typed text.
func (a *Activity) clickData() submitData {
	var d submitData
	if len(a.Value) > 0 {
		_ = json.Unmarshal(a.Value, &d)
	}
	d.Rec, d.Prompt = clipBytes(d.Rec, 300), clipBytes(d.Prompt, 2000) // a forged value stays small
	return d
}

// foldable reports whether r is a short acknowledgement (« Merci, avis
// noté ») that reads best as the record on the clicked card.
func foldable(r conversation.Reply) bool {
	return len(r.Text) == 1 && len(r.Buttons()) == 0 && r.Answer == nil && r.Question == nil &&
		r.Verdict == nil && r.Escalation == nil && len(r.Text[0]) <= 300
}

// update replaces activity id with c in act's conversation.
func (a *Adapter) update(ctx context.Context, act *Activity, id string, c *card, summary string) error {
	endpoint, err := activityURL(act.ServiceURL, act.Conversation.ID, id)
	if err != nil {
		return err
	}
	out := &outActivity{Type: "message", From: &act.Recipient, Conversation: Conversation{ID: act.Conversation.ID},
		Locale: act.Locale, Summary: summary, Attachments: []attachment{{ContentType: cardContentType, Content: c}}}
	_, err = a.conn.do(ctx, http.MethodPut, endpoint, out)
	return err
}

// settle updates the person's earlier live cards before a reply is posted:
// the clicked one becomes the record of the click (and of reply, when it
// folds), the others lose their buttons. It reports whether reply was
// shown on the clicked card, so need not be posted.
func (a *Adapter) settle(ctx context.Context, act *Activity, key string, r conversation.Reply) (folded bool) {
	d := act.clickData()
	clickedID := ""
	if d.Action != "" {
		clickedID = act.ReplyToID
	}
	live, clicked := a.live.take(key, clickedID, a.now())
	for _, lc := range live {
		if lc.id == clickedID {
			continue
		}
		if err := a.update(ctx, act, lc.id, settled(lc.card, nil), ""); err != nil {
			a.log.Info("card not updated: its buttons stay", "err", err)
		}
	}
	if clickedID == "" {
		return false
	}
	var record []string
	if d.Rec != "" {
		record = append(record, d.Rec)
	}
	fold := foldable(r)
	if fold {
		record = append(record, r.Text[0])
	}
	var c *card
	switch {
	case d.Prompt != "":
		c = answeredCard(d.Rec, d.Prompt)
		if fold {
			c.Body = append(c.Body, textBlock(r.Text[0]))
		}
	case clicked != nil:
		c = settled(clicked.card, record)
	default:
		return false // not remembered: nothing to rebuild it from
	}
	if err := a.update(ctx, act, clickedID, c, summaryOf(c)); err != nil {
		a.log.Info("clicked card not updated: the reply is posted", "err", err)
		return false
	}
	return fold
}

// summaryOf is the activity's summary: what notifications show instead of
// a generic "Card" (the first text, short).
func summaryOf(c *card) string {
	var first string
	var walk func([]element)
	walk = func(es []element) {
		for _, e := range es {
			if first == "" && strings.TrimSpace(e.Text) != "" {
				first = strings.TrimSpace(e.Text)
			}
			walk(e.Items)
		}
	}
	walk(c.Body)
	if i := strings.IndexByte(first, '\n'); i > 0 {
		first = first[:i]
	}
	return clipBytes(first, 120)
}
