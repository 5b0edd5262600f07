package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/qc-ia/conformbot/adapters/teams/teamstest"
	"github.com/qc-ia/conformbot/conversation"
)

// buttons returns the submit ids of a posted card, in order, and its text.
func buttons(t *testing.T, p teamstest.Post) (ids []string, text string) {
	t.Helper()
	if len(p.Activity.Attachments) != 1 {
		t.Fatalf("attachments = %d, want 1", len(p.Activity.Attachments))
	}
	var c card
	if err := json.Unmarshal(p.Activity.Attachments[0].Content, &c); err != nil {
		t.Fatalf("card: %v", err)
	}
	texts, actions := cardText(&c)
	for _, a := range actions {
		if a.Type == "Action.Submit" && a.Data != nil {
			ids = append(ids, a.Data.Action)
		}
	}
	return ids, strings.Join(texts, "\n")
}

// submit posts what Teams sends when a card button is clicked.
func (e *env) submit(t *testing.T, id, actID string) {
	t.Helper()
	act := e.activity("")
	act["id"] = actID
	act["value"] = map[string]any{"action": id}
	if got := e.post(t, e.validToken(t), act); got != 200 {
		t.Fatalf("submit %s: status = %d", id, got)
	}
}

// fakeDialog is a three-question dialog: it only accepts the ids it offered.
type fakeDialog struct {
	mu      sync.Mutex
	step    map[string]int
	offered map[string][]string
}

func (d *fakeDialog) Handle(_ context.Context, m conversation.Message) (conversation.Reply, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := m.UserID + "|" + m.ConversationID
	if m.Action == "" && m.Text == "vérifier" {
		d.step[key] = 0
	} else if !contains(d.offered[key], m.Action) {
		return conversation.Reply{Text: []string{"bouton inconnu " + m.Action}}, nil
	} else {
		d.step[key]++
	}
	n := d.step[key]
	if n == 3 {
		return conversation.Reply{Verdict: &conversation.Verdict{Code: "hors-portee", Title: "Hors de la portée"},
			Actions: []conversation.Action{{ID: "fb:verdict:up", Label: "Utile"}}}, nil
	}
	q := &conversation.Question{Fact: fmt.Sprint("f", n), Prompt: fmt.Sprintf("Question %c ?", 'A'+n), Step: n + 1}
	for _, v := range []string{"yes", "no", "unknown"} {
		q.Choices = append(q.Choices, conversation.Action{ID: "elig:ans:" + q.Fact + ":" + v, Label: v})
	}
	d.offered[key] = []string{q.Choices[0].ID, q.Choices[1].ID, q.Choices[2].ID}
	return conversation.Reply{Question: q}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// runDialog starts the check by text and clicks the first choice of each
// question card until a card has no elig:ans button; it returns the text of
// every card seen.
func runDialog(t *testing.T, e *env, start string) []string {
	t.Helper()
	if got := e.post(t, e.validToken(t), e.activity(start)); got != 200 {
		t.Fatalf("status = %d", got)
	}
	var seen []string
	for i := range 20 {
		p := e.conn.NextMessage(t)
		ids, text := buttons(t, p)
		seen = append(seen, text)
		var choice string
		for _, id := range ids {
			if strings.HasPrefix(id, "elig:ans:") {
				choice = id
				break
			}
		}
		if choice == "" {
			return seen
		}
		e.submit(t, choice, fmt.Sprint("click-", i))
	}
	t.Fatal("dialog did not end after 20 clicks")
	return nil
}

func TestEligibilityDialogThroughCardSubmits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, &fakeDialog{step: map[string]int{}, offered: map[string][]string{}})
	seen := runDialog(t, e, "vérifier")
	if len(seen) != 4 {
		t.Fatalf("cards = %d, want 3 questions and a verdict:\n%s", len(seen), strings.Join(seen, "\n---\n"))
	}
	for i, want := range []string{"Question A ?", "Question B ?", "Question C ?", "Hors de la portée"} {
		if !strings.Contains(seen[i], want) {
			t.Errorf("card %d = %q, want %q", i, seen[i], want)
		}
	}
	if strings.Contains(strings.Join(seen, ""), "bouton inconnu") {
		t.Error("a submitted id was not one the engine offered")
	}
}
