package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/qc-ia/conformbot/adapters/teams/teamstest"
	"github.com/qc-ia/conformbot/conversation"
)

const teamsE2EAppID = "0f0e0d0c-0b0a-4909-8807-060504030201"

// teamsSide is Microsoft as the bot sees it: signing keys, token endpoint
// and Bot Connector.
type teamsSide struct {
	id     *teamstest.Identity
	tokens *teamstest.TokenServer
	conn   *teamstest.Connector
}

// teamsBot is `bot serve` with only Teams on, over the real engine and store.
func teamsBot(t testing.TB) (*App, http.Handler, *teamsSide) {
	t.Helper()
	ka, _, _ := teamstest.Keys()
	side := &teamsSide{
		id:     teamstest.NewIdentity(t, teamstest.PublicJWK("k1", &ka.PublicKey, "msteams")),
		tokens: teamstest.NewTokenServer(t, teamsE2EAppID, "e2e-secret"),
		conn:   teamstest.NewConnector(t),
	}
	cfg := Config{DataDir: t.TempDir(), SessionTTL: time.Hour, Retention: time.Hour,
		TeamsAppID: teamsE2EAppID, TeamsAppPassword: "e2e-secret", TeamsTenantID: "tenant-e2e",
		TeamsOpenIDURL: side.id.OpenIDURL(), TeamsTokenURL: side.tokens.URL()}
	ctx, cancel := context.WithCancel(context.Background())
	app := buildTestApp(ctx, t, cfg, nil)
	t.Cleanup(cancel)
	mux := http.NewServeMux()
	startMount(t, "teams", app, mux)
	return app, mux, side
}

// teamsActivity is what Teams posts for a user of the e2e tenant.
func (s *teamsSide) activity(kind, id, user, conv string) map[string]any {
	return map[string]any{
		"type": kind, "id": id, "channelId": "msteams", "serviceUrl": s.conn.ServiceURL(), "locale": "fr-CA",
		"from":         map[string]any{"id": "29:" + user, "aadObjectId": "aad-" + user},
		"recipient":    map[string]any{"id": "28:" + teamsE2EAppID, "name": "Directive IA"},
		"conversation": map[string]any{"id": conv},
		"channelData":  map[string]any{"tenant": map[string]any{"id": "tenant-e2e"}},
	}
}

func (s *teamsSide) send(t testing.TB, bot http.Handler, act map[string]any, claims jwt.MapClaims) int {
	t.Helper()
	ka, _, _ := teamstest.Keys()
	if claims == nil {
		claims = teamstest.Claims(teamsE2EAppID, s.conn.ServiceURL(), time.Now())
	}
	body, _ := json.Marshal(act)
	r := httptest.NewRequest(http.MethodPost, "/api/messages", strings.NewReader(string(body)))
	r.Header.Set("Authorization", "Bearer "+teamstest.Sign(t, ka, "k1", claims))
	return serveRec(bot, r).Code
}

type teamsButton struct{ Type, Title, Action, URL string }

// teamsCard returns the text and buttons of a posted Adaptive Card.
func teamsCard(t testing.TB, p teamstest.Post) (string, []teamsButton) {
	t.Helper()
	if len(p.Activity.Attachments) != 1 || p.Activity.Attachments[0].ContentType != teamstest.CardType {
		t.Fatalf("post %s holds no Adaptive Card: %+v", p.Path, p.Activity)
	}
	var card map[string]any
	if err := json.Unmarshal(p.Activity.Attachments[0].Content, &card); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	var buttons []teamsButton
	addAction := func(a map[string]any) {
		b := teamsButton{}
		b.Type, _ = a["type"].(string)
		b.Title, _ = a["title"].(string)
		b.URL, _ = a["url"].(string)
		if d, ok := a["data"].(map[string]any); ok {
			b.Action, _ = d["action"].(string)
		}
		buttons = append(buttons, b)
	}
	var walk func(els []any)
	walk = func(els []any) {
		for _, x := range els {
			e := x.(map[string]any)
			if s, ok := e["text"].(string); ok {
				text.WriteString(s + "\n")
			}
			if acts, ok := e["actions"].([]any); ok {
				for _, a := range acts {
					addAction(a.(map[string]any))
				}
			}
			if a, ok := e["selectAction"].(map[string]any); ok {
				addAction(a)
			}
			if items, ok := e["items"].([]any); ok {
				walk(items)
			}
		}
	}
	body, _ := card["body"].([]any)
	walk(body)
	return text.String(), buttons
}

// TestTeamsEndToEnd: authenticated Bot Framework activities through the
// Teams mount to the real engine (embedded FAQ and rules, SQLite store),
// answered as Adaptive Cards on the fake Bot Connector.
func TestTeamsEndToEnd(t *testing.T) {
	t.Parallel()
	app, bot, side := teamsBot(t)
	ref := func(m conversation.Message) conversation.Reply {
		r, err := app.Engine.Handle(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Run("mention in a channel answered from the FAQ in the thread", func(t *testing.T) {
		const q = "Puis-je encore utiliser la version web de ChatGPT?"
		act := side.activity("message", "1700/1", "u1", "19:chan@thread.tacv2;messageid=1700")
		act["text"] = "<at>Directive IA</at> " + q
		if code := side.send(t, bot, act, nil); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		p := side.conn.NextMessage(t)
		want := "/teams/v3/conversations/19:chan@thread.tacv2%3Bmessageid=1700/activities/1700%2F1"
		if p.Path != want || p.Activity.ReplyToID != "1700/1" || p.Auth != "Bearer bot-token-1" {
			t.Errorf("posted to %s (replyTo %q, %s), want %s in the thread with the bot token",
				p.Path, p.Activity.ReplyToID, p.Auth, want)
		}
		r := ref(conversation.Message{Platform: "teams", UserID: "ref", ConversationID: "ref1", Text: q})
		text, buttons := teamsCard(t, p)
		if r.Answer == nil || !strings.Contains(text, r.Answer.Question) || !strings.Contains(text, r.Answer.Source.Label) ||
			!strings.Contains(text, r.Answer.Text) {
			t.Fatalf("card does not quote the official answer:\n%s", text)
		}
		if !slices.ContainsFunc(buttons, func(b teamsButton) bool { return strings.HasPrefix(b.Action, "fb:") }) {
			t.Errorf("no feedback button: %+v", buttons)
		}
	})

	t.Run("eligibility dialog through card submits to a verdict", func(t *testing.T) {
		conv := "a:personal-u2"
		start := side.activity("message", "m0", "u2", conv)
		start["text"] = "vérifier"
		if code := side.send(t, bot, start, nil); code != 200 {
			t.Fatalf("status %d", code)
		}
		refMsg := conversation.Message{Platform: "teams", UserID: "ref", ConversationID: "ref2", Text: "vérifier"}
		reply := ref(refMsg)
		steps := 0
		for reply.Verdict == nil {
			text, buttons := teamsCard(t, side.conn.NextMessage(t))
			if !strings.Contains(text, fmt.Sprintf("Question %d", steps+1)) || !strings.Contains(text, reply.Question.Prompt) {
				t.Fatalf("step %d shows:\n%s", steps+1, text)
			}
			i := slices.IndexFunc(buttons, func(b teamsButton) bool { return b.Title == "Oui" && b.Type == "Action.Submit" })
			if i < 0 || steps > 12 {
				t.Fatalf("no 'Oui' at step %d: %+v", steps+1, buttons)
			}
			click := side.activity("message", fmt.Sprint("m", steps+1), "u2", conv)
			click["value"] = map[string]any{"action": buttons[i].Action}
			if code := side.send(t, bot, click, nil); code != 200 {
				t.Fatalf("click status %d", code)
			}
			refMsg.Text, refMsg.Action = "", buttons[i].Action
			reply = ref(refMsg)
			steps++
		}
		text, _ := teamsCard(t, side.conn.NextMessage(t))
		if steps < 2 || !strings.Contains(text, reply.Verdict.Title) || !strings.Contains(text, "Références (FAQ) :") {
			t.Errorf("after %d steps, verdict %q not shown:\n%s", steps, reply.Verdict.Title, text)
		}
	})

	t.Run("welcome card when the bot is added", func(t *testing.T) {
		up := side.activity("conversationUpdate", "u-1", "u3", "19:team@thread.tacv2")
		up["membersAdded"] = []map[string]any{{"id": "28:" + teamsE2EAppID}}
		up["locale"] = "en-US"
		if code := side.send(t, bot, up, nil); code != 200 {
			t.Fatalf("status %d", code)
		}
		p := side.conn.NextMessage(t)
		text, _ := teamsCard(t, p)
		if p.Path != "/teams/v3/conversations/19:team@thread.tacv2/activities" || !strings.Contains(text, "I answer questions") {
			t.Errorf("welcome posted to %s:\n%s", p.Path, text)
		}
	})

	t.Run("forged token refused, nothing posted", func(t *testing.T) {
		act := side.activity("message", "x1", "u4", "a:personal-u4")
		act["text"] = "aide"
		claims := teamstest.Claims("another-bot", side.conn.ServiceURL(), time.Now())
		if code := side.send(t, bot, act, claims); code != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", code)
		}
		// The refusal is synchronous: no reply can be on its way.
		side.conn.None(t)
	})
}
