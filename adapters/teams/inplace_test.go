package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/adapters/teams/teamstest"
	"github.com/qc-ia/conformbot/conversation"
)

// decode reads the card of a posted or updated activity.
func decode(t *testing.T, a teamstest.Activity) *card {
	t.Helper()
	if len(a.Attachments) != 1 {
		t.Fatalf("attachments = %d, want 1", len(a.Attachments))
	}
	var c card
	if err := json.Unmarshal(a.Attachments[0].Content, &c); err != nil {
		t.Fatalf("card: %v", err)
	}
	return &c
}

// liveCount counts the cards of conv that still have a button sending
// something back, and returns the text of the whole conversation.
func liveCount(t *testing.T, e *env, conv string) (int, string) {
	t.Helper()
	n := 0
	var texts []string
	for _, a := range e.conn.Transcript(conv) {
		c := decode(t, a)
		if hasSubmit(c) {
			n++
		}
		tx, _ := cardText(c)
		texts = append(texts, strings.Join(tx, "\n"))
	}
	return n, strings.Join(texts, "\n---\n")
}

// click sends what Teams sends when a card's button is pressed: the
// button's data as value, the card's activity id as replyToId.
func (e *env) click(t *testing.T, cardID string, data *submitData, from map[string]any) {
	t.Helper()
	act := e.activity("")
	if from != nil {
		for k, v := range from {
			act[k] = v
		}
	}
	act["id"] = "click-" + cardID
	act["replyToId"] = cardID
	b, _ := json.Marshal(data)
	act["value"] = json.RawMessage(b)
	if got := e.post(t, e.validToken(t), act); got != 200 {
		t.Fatalf("click: status %d", got)
	}
}

const personalConv = "a:personal-conv;x=1"

// The longest eligibility path (15 questions), clicked through as a person
// would: every answered question becomes « Question N — Non ✓ » in place,
// and only the verdict keeps live buttons.
func TestLongDialogLeavesOneLiveCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adaptertest.Engine(t))
	if got := e.post(t, e.validToken(t), e.activity("admissibilité")); got != 200 {
		t.Fatalf("status %d", got)
	}
	asked := 0
	for range 30 {
		p := e.conn.NextMessage(t)
		c := decode(t, p.Activity)
		if p.Activity.Summary == "" {
			t.Error("activity without a summary")
		}
		var choice *submitData
		_, acts := cardText(c)
		for _, a := range acts {
			if a.Data == nil || !strings.HasPrefix(a.Data.Action, "elig:ans:") {
				continue
			}
			fact, val, _ := strings.Cut(strings.TrimPrefix(a.Data.Action, "elig:ans:"), ":")
			if adaptertest.Longest[fact] == val {
				choice = a.Data
			}
		}
		if choice == nil {
			break // the verdict
		}
		asked++
		e.a.Wait()
		e.click(t, p.ID, choice, nil)
	}
	e.a.Wait()
	if asked < 11 {
		t.Fatalf("%d questions, want the longest path (11 or more)", asked)
	}
	live, text := liveCount(t, e, personalConv)
	if live != 1 {
		t.Errorf("%d cards with live buttons, want 1 (the verdict):\n%s", live, text)
	}
	if got := strings.Count(text, " — Non ✓") + strings.Count(text, " — Oui ✓"); got != asked {
		t.Errorf("%d answer records, want %d:\n%s", got, asked, text)
	}
	for _, want := range []string{"Question 1 — Oui ✓", "Question 3 — Non ✓", "Question 15 — Oui ✓", "Votre organisation est-elle un organisme public", "✅ Visé par la suspension"} {
		if !strings.Contains(text, want) {
			t.Errorf("conversation lacks %q:\n%s", want, text)
		}
	}
	if n := len(e.conn.Transcript(personalConv)); n != asked+1 {
		t.Errorf("%d activities, want %d records and the verdict", n, asked)
	}
}

// feedbackEngine answers a question with 👍/👎 and thanks for a 👍.
var feedbackEngine = conversation.HandlerFunc(func(_ context.Context, m conversation.Message) (conversation.Reply, error) {
	if m.Action == "fb:up" {
		return conversation.Reply{Lang: "fr", Text: []string{"Merci, avis noté."}}, nil
	}
	return conversation.Reply{Lang: "fr", Answer: &conversation.Answer{Question: "Puis-je utiliser Copilot ?", Text: "Réponse officielle."},
		Actions: []conversation.Action{{ID: "fb:up", Label: "👍 Utile"}, {ID: "fb:down", Label: "👎 Pas utile"}}}, nil
})

func TestFeedbackUpdatesTheAnswerCard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fail   bool // the update is refused
		posts  int  // activities in the conversation at the end
		record string
	}{
		{"in place", false, 1, "Merci, avis noté."},
		{"update refused: posted", true, 2, "Merci, avis noté."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, feedbackEngine)
			e.post(t, e.validToken(t), e.activity("Copilot ?"))
			p := e.conn.NextMessage(t)
			e.a.Wait() // the card is remembered once its post returns
			_, acts := cardText(decode(t, p.Activity))
			if tt.fail {
				e.conn.Then(http.StatusForbidden, nil)
			}
			e.click(t, p.ID, acts[0].Data, nil)
			e.a.Wait()
			all := e.conn.Transcript(personalConv)
			if len(all) != tt.posts {
				t.Fatalf("%d activities, want %d", len(all), tt.posts)
			}
			live, text := liveCount(t, e, personalConv)
			if !strings.Contains(text, tt.record) || !strings.Contains(text, "Réponse officielle.") {
				t.Errorf("conversation lacks the answer or %q:\n%s", tt.record, text)
			}
			if !tt.fail && (live != 0 || !strings.Contains(text, "Choisi : 👍 Utile ✓")) {
				t.Errorf("%d live cards, want the answer settled with its record:\n%s", live, text)
			}
		})
	}
}

// channel is an activity from user n in a channel thread.
func (e *env) channel(text string, n string) map[string]any {
	act := e.activity(text)
	act["text"] = "<at>ConformBot</at> " + text
	act["entities"] = []any{map[string]any{"type": "mention", "text": "<at>ConformBot</at>",
		"mentioned": map[string]any{"id": "28:" + testAppID, "name": "ConformBot"}}}
	act["from"] = map[string]any{"id": "29:user-" + n, "name": "Collègue " + n, "aadObjectId": "aad-user-" + n}
	act["conversation"] = map[string]any{"id": "19:chan@thread.tacv2;messageid=17", "conversationType": "channel", "tenantId": testTenant}
	return act
}

const channelConv = "19:chan@thread.tacv2;messageid=17"

// In a channel the check moves to the person's one-to-one chat; the
// thread only gets a notice.
func TestChannelCheckContinuesPrivately(t *testing.T) {
	t.Parallel()
	e := newEnv(t, adaptertest.Engine(t))
	e.post(t, e.validToken(t), e.channel("admissibilité", "1"))
	e.a.Wait()
	var create *teamstest.CreateConversation
	var personal string
	for {
		select {
		case p := <-e.conn.Got:
			if p.Create != nil {
				create, personal = p.Create, p.ID
			}
			continue
		default:
		}
		break
	}
	if create == nil || len(create.Members) != 1 || create.Members[0].ID != "29:user-1" || create.TenantID != testTenant {
		t.Fatalf("no one-to-one chat opened for the asker: %+v", create)
	}
	live, text := liveCount(t, e, personal)
	if live != 1 || !strings.Contains(text, "Question 1") {
		t.Errorf("private chat: %d live cards, want the first question:\n%s", live, text)
	}
	live, text = liveCount(t, e, channelConv)
	if live != 0 || !strings.Contains(text, "conversation privée") || strings.Contains(text, "Question 1") {
		t.Errorf("thread: %d live cards:\n%s", live, text)
	}
}

// A colleague's click on someone's card answers the colleague alone, in
// private: the thread and the card stay as they were.
func TestColleagueClickAnswersOnlyThem(t *testing.T) {
	t.Parallel()
	e := newEnv(t, feedbackEngine)
	e.post(t, e.validToken(t), e.channel("Copilot ?", "1"))
	p := e.conn.NextMessage(t)
	e.a.Wait()
	_, acts := cardText(decode(t, p.Activity))
	colleague := e.channel("", "2")
	delete(colleague, "text")
	delete(colleague, "entities")
	e.click(t, p.ID, acts[0].Data, map[string]any{"from": colleague["from"], "conversation": colleague["conversation"]})
	e.a.Wait()
	thread := e.conn.Transcript(channelConv)
	if len(thread) != 1 {
		t.Fatalf("thread has %d activities, want the answer alone", len(thread))
	}
	if live, _ := liveCount(t, e, channelConv); live != 1 {
		t.Error("the owner's card lost its buttons to a colleague's click")
	}
	var created bool
	for {
		select {
		case q := <-e.conn.Got:
			if q.Create != nil {
				created = q.Create.Members[0].ID == "29:user-2"
				if got := e.conn.Transcript(q.ID); len(got) == 0 {
					t.Error("nothing posted to the colleague in private")
				}
			}
			if q.Method == http.MethodPut {
				t.Errorf("a colleague's click updated %s", q.Path)
			}
			continue
		default:
		}
		break
	}
	if !created {
		t.Error("no private chat with the colleague")
	}
}

// The typing indicator shows while an answer takes longer than a moment.
func TestTypingIndicator(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e := newEnv(t, conversation.HandlerFunc(func(ctx context.Context, m conversation.Message) (conversation.Reply, error) {
		<-release
		return conversation.Reply{Text: []string{"Réponse"}}, nil
	}))
	e.a.typingAfter = 0
	e.post(t, e.validToken(t), e.activity("lent"))
	if p := e.conn.Next(t); p.Activity.Type != "typing" || p.Method != http.MethodPost {
		t.Fatalf("first post %s %q, want the typing indicator", p.Method, p.Activity.Type)
	}
	close(release)
	if p := e.conn.Next(t); !p.Message() {
		t.Errorf("then %s %q, want the answer", p.Method, p.Activity.Type)
	}
}
