package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

const e2eSecret = "e2e-signing-secret"

// slackSide is Slack as the bot sees it: the Web API (chat.postMessage) and
// response_url endpoints, recording what the bot sends.
type slackSide struct {
	srv       *httptest.Server
	responses chan slackMsg
	posts     chan slackMsg
}

type slackMsg struct {
	Path, Channel, Thread string
	ResponseType          string           `json:"response_type"`
	Replace               bool             `json:"replace_original"`
	Blocks                []map[string]any `json:"blocks"`
}

func newSlackSide(t testing.TB) *slackSide {
	s := &slackSide{responses: make(chan slackMsg, 50), posts: make(chan slackMsg, 50)}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		m := slackMsg{Channel: r.PostForm.Get("channel"), Thread: r.PostForm.Get("thread_ts")}
		_ = json.Unmarshal([]byte(r.PostForm.Get("blocks")), &m.Blocks)
		s.posts <- m
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1.1"}`, m.Channel)
	})
	mux.HandleFunc("/response/", func(w http.ResponseWriter, r *http.Request) {
		var m slackMsg
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("response_url body: %v", err)
		}
		m.Path = r.URL.Path
		s.responses <- m
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func waitMsg(t testing.TB, ch chan slackMsg, what string) slackMsg {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(20 * time.Second):
		t.Fatalf("no %s", what)
		return slackMsg{}
	}
}

// slackBot is `bot serve` with only Slack on, over the real engine and store.
func slackBot(t testing.TB, side *slackSide) (*App, http.Handler) {
	t.Helper()
	cfg := Config{DataDir: t.TempDir(), SessionTTL: time.Hour, Retention: time.Hour, SlackBotToken: "xoxb-e2e",
		SlackSigningSecret: e2eSecret, SlackCommand: "/ia", SlackAPIURL: side.srv.URL + "/api/"}
	ctx, cancel := context.WithCancel(context.Background())
	app := buildTestApp(ctx, t, cfg, nil)
	t.Cleanup(cancel)
	mux := http.NewServeMux()
	startMount(t, "slack", app, mux)
	return app, mux
}

func signedSlack(path, contentType, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	signSlack(r, e2eSecret, body, time.Now())
	return r
}

func slashCommand(side *slackSide, user, text, responseID string) *http.Request {
	body := url.Values{"command": {"/ia"}, "text": {text}, "team_id": {"T1"}, "user_id": {user},
		"channel_id": {"C1"}, "response_url": {side.srv.URL + "/response/" + responseID}}.Encode()
	return signedSlack("/slack/commands", "application/x-www-form-urlencoded", body)
}

type slackButton struct{ BlockID, ActionID, Value, Label string }

func slackButtons(blocks []map[string]any) []slackButton {
	var out []slackButton
	add := func(blockID string, e map[string]any) {
		b := slackButton{BlockID: blockID}
		b.ActionID, _ = e["action_id"].(string)
		b.Value, _ = e["value"].(string)
		if t, ok := e["text"].(map[string]any); ok {
			b.Label, _ = t["text"].(string)
		}
		out = append(out, b)
	}
	for _, bl := range blocks {
		id, _ := bl["block_id"].(string)
		if els, ok := bl["elements"].([]any); ok && bl["type"] == "actions" {
			for _, e := range els {
				add(id, e.(map[string]any))
			}
		}
		if acc, ok := bl["accessory"].(map[string]any); ok {
			add(id, acc)
		}
	}
	return out
}

func blocksText(blocks []map[string]any) string {
	var s strings.Builder
	for _, bl := range blocks {
		if t, ok := bl["text"].(map[string]any); ok {
			s.WriteString(fmt.Sprint(t["text"]) + "\n")
		}
		if bl["type"] == "context" {
			for _, e := range bl["elements"].([]any) {
				s.WriteString(fmt.Sprint(e.(map[string]any)["text"]) + "\n")
			}
		}
	}
	return s.String()
}

func clickSlack(side *slackSide, user string, b slackButton, responseID string) *http.Request {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"container":    map[string]any{"type": "message", "channel_id": "C1", "is_ephemeral": true},
		"response_url": side.srv.URL + "/response/" + responseID,
		"actions":      []map[string]any{{"type": "button", "action_id": b.ActionID, "block_id": b.BlockID, "value": b.Value}},
	})
	return signedSlack("/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode())
}

func serveRec(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestSlackEndToEnd: signed Slack requests through the Slack mount to the
// real engine (embedded FAQ and rules, SQLite store) and back as Block Kit.
func TestSlackEndToEnd(t *testing.T) {
	t.Parallel()
	side := newSlackSide(t)
	app, bot := slackBot(t, side)

	t.Run("slash command answers from the FAQ, privately, with a share button", func(t *testing.T) {
		const q = "Puis-je encore utiliser la version web de ChatGPT?"
		w := serveRec(bot, slashCommand(side, "U1", q, "a1"))
		var got slackMsg
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("inline answer %q: %v", w.Body.String(), err)
		}
		ref, _ := app.Engine.Handle(context.Background(), conversation.Message{Platform: "slack", UserID: "ref", ConversationID: "ref", Text: q})
		txt := blocksText(got.Blocks)
		if got.ResponseType != "ephemeral" || ref.Answer == nil || !strings.Contains(txt, ref.Answer.Source.Label) ||
			!strings.Contains(txt, ref.Answer.Question) {
			t.Fatalf("answer (%s):\n%s", got.ResponseType, txt)
		}
		if !slices.ContainsFunc(slackButtons(got.Blocks), func(b slackButton) bool { return b.Label == "Partager dans le canal" }) {
			t.Errorf("no share button: %+v", slackButtons(got.Blocks))
		}
	})

	t.Run("eligibility dialog through block_actions to a verdict", func(t *testing.T) {
		w := serveRec(bot, slashCommand(side, "U2", "admissibilite", "d0"))
		var msg slackMsg
		if err := json.Unmarshal(w.Body.Bytes(), &msg); err != nil {
			t.Fatalf("inline first question %q: %v", w.Body.String(), err)
		}
		ref := conversation.Message{Platform: "slack", UserID: "ref2", ConversationID: "ref", Text: "admissibilite"}
		reply, _ := app.Engine.Handle(context.Background(), ref)
		steps := 0
		for reply.Verdict == nil {
			if !strings.Contains(blocksText(msg.Blocks), fmt.Sprintf("*Question %d", steps+1)) {
				t.Fatalf("step %d shows:\n%s", steps+1, blocksText(msg.Blocks))
			}
			i := slices.IndexFunc(slackButtons(msg.Blocks), func(b slackButton) bool { return b.Label == "Oui" })
			if i < 0 || steps > 12 {
				t.Fatalf("no 'Oui' at step %d: %+v", steps+1, slackButtons(msg.Blocks))
			}
			yes := slackButtons(msg.Blocks)[i]
			if w := serveRec(bot, clickSlack(side, "U2", yes, fmt.Sprint("d", steps+1))); w.Code != 200 {
				t.Fatalf("click status %d", w.Code)
			}
			msg = waitMsg(t, side.responses, "next step")
			if !msg.Replace {
				t.Errorf("step %d did not replace the dialog message", steps+1)
			}
			ref.Text, ref.Action = "", yes.Value
			reply, _ = app.Engine.Handle(context.Background(), ref)
			steps++
		}
		txt := blocksText(msg.Blocks)
		if steps < 2 || !strings.Contains(txt, "*"+reply.Verdict.Title+"*") || !strings.Contains(txt, "Références (FAQ) :") {
			t.Errorf("after %d steps, verdict %q not shown:\n%s", steps, reply.Verdict.Title, txt)
		}
	})

	t.Run("direct message answered in the DM", func(t *testing.T) {
		body := `{"type":"event_callback","team_id":"T1","event_id":"EvDM1","event":{"type":"message","channel_type":"im","user":"U3","text":"aide","ts":"9.9","channel":"D1"}}`
		if w := serveRec(bot, signedSlack("/slack/events", "application/json", body)); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
		p := waitMsg(t, side.posts, "DM answer")
		if p.Channel != "D1" || p.Thread != "" || !strings.Contains(blocksText(p.Blocks), "IA-RI-2025-001-OP") {
			t.Errorf("DM answer to %q/%q:\n%s", p.Channel, p.Thread, blocksText(p.Blocks))
		}
	})
}

// BenchmarkSlackCommand: a signed slash command handled in process by the
// Slack mount and the real engine (FAQ search, SQLite session), answered
// inline. Reports the median.
func BenchmarkSlackCommand(b *testing.B) {
	side := newSlackSide(b)
	_, bot := slackBot(b, side)
	var ds []time.Duration
	for b.Loop() {
		r := slashCommand(side, "U1", "Puis-je encore utiliser la version web de ChatGPT?", "bench")
		start := time.Now()
		w := serveRec(bot, r)
		ds = append(ds, time.Since(start))
		if w.Code != 200 || w.Body.Len() == 0 {
			b.Fatalf("status %d, %d bytes: not answered inline", w.Code, w.Body.Len())
		}
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "p99-µs")
}
