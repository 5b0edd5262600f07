package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/testlog"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// posted is one message the adapter sent to Slack: through chat.postMessage
// (Channel set) or a response_url (Path set).
type posted struct {
	Channel, Thread string
	Path            string
	Text            string
	ResponseType    string
	Replace         bool
	Blocks          []map[string]any
}

// fakeSlack is slacktest's fake Web API with chat.postMessage and
// response_url endpoints that record what they receive.
type fakeSlack struct {
	srv       *slacktest.Server
	posts     chan posted
	responses chan posted
	calls     atomic.Int32
	// postHook, when set, answers chat.postMessage instead (error cases).
	postHook func(w http.ResponseWriter, call int32) bool
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{posts: make(chan posted, 200), responses: make(chan posted, 200)}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			n := f.calls.Add(1)
			if f.postHook != nil && f.postHook(w, n) {
				return
			}
			body, _ := io.ReadAll(r.Body)
			v, _ := url.ParseQuery(string(body))
			p := posted{Channel: v.Get("channel"), Thread: v.Get("thread_ts"), Text: v.Get("text")}
			if err := json.Unmarshal([]byte(v.Get("blocks")), &p.Blocks); err != nil {
				t.Errorf("chat.postMessage blocks: %v", err)
			}
			f.posts <- p
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.000100"}`, p.Channel)
		})
		c.Handle("/response/", func(w http.ResponseWriter, r *http.Request) {
			var m struct {
				Text            string           `json:"text"`
				ResponseType    string           `json:"response_type"`
				ReplaceOriginal bool             `json:"replace_original"`
				Blocks          []map[string]any `json:"blocks"`
			}
			if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
				t.Errorf("response_url body: %v", err)
			}
			f.responses <- posted{Path: r.URL.Path, Text: m.Text, ResponseType: m.ResponseType, Replace: m.ReplaceOriginal, Blocks: m.Blocks}
			_, _ = w.Write([]byte("ok"))
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) responseURL(id string) string { return f.srv.GetAPIURL() + "response/" + id }

// next waits for one message on ch.
func next(t testing.TB, ch chan posted, what string) posted {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s received", what)
		return posted{}
	}
}

// harness is an adapter behind a real HTTP server, talking to fakeSlack.
type harness struct {
	a    *Adapter
	fake *fakeSlack
	srv  *httptest.Server
	logs *testlog.Buffer
}

func newHarness(t testing.TB, h conversation.Handler, tweak ...func(*Options)) *harness {
	fake := newFakeSlack(t)
	logs := &testlog.Buffer{}
	o := Options{
		BotToken:      "xoxb-test",
		SigningSecret: testSecret,
		APIURL:        fake.srv.GetAPIURL(),
		Handler:       h,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range tweak {
		f(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := a.Start(context.Background(), mux); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		now, cancel := context.WithCancel(context.Background())
		cancel()
		_ = a.Shutdown(now)
	})
	return &harness{a: a, fake: fake, srv: srv, logs: logs}
}

// sign adds Slack's v0 signature for body at time ts.
func sign(r *http.Request, secret string, body []byte, ts time.Time) {
	s := strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:%s", s, body)
	r.Header.Set("X-Slack-Request-Timestamp", s)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
}

func signedRequest(target, path, contentType string, body []byte, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target+path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	sign(r, testSecret, body, ts)
	return r
}

// post sends a signed request to the harness and returns status and body.
func (h *harness) post(t testing.TB, path, contentType string, body []byte, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	sign(req, testSecret, body, time.Now())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

const formType = "application/x-www-form-urlencoded"

func commandForm(text, responseID string, f *fakeSlack) []byte {
	return []byte(url.Values{
		"command": {"/ia"}, "text": {text}, "team_id": {"T1"}, "user_id": {"U1"},
		"channel_id": {"C1"}, "response_url": {f.responseURL(responseID)},
	}.Encode())
}

// click builds a block_actions payload for a button found in blocks.
func click(f *fakeSlack, user string, b button, ephemeral bool, responseID string) []byte {
	payload := map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": "T1"},
		"user":         map[string]any{"id": user},
		"channel":      map[string]any{"id": "C1"},
		"container":    map[string]any{"type": "message", "channel_id": "C1", "is_ephemeral": ephemeral, "message_ts": "1700000000.000100"},
		"response_url": f.responseURL(responseID),
		"actions": []map[string]any{{
			"type": "button", "action_id": b.ActionID, "block_id": b.BlockID, "value": b.Value,
			"text": map[string]any{"type": "plain_text", "text": b.Text},
		}},
	}
	j, _ := json.Marshal(payload)
	return []byte(url.Values{"payload": {string(j)}}.Encode())
}

type button struct{ BlockID, ActionID, Value, URL, Text string }

// buttons lists the buttons of rendered blocks (actions blocks and section accessories).
func buttons(blocks []map[string]any) []button {
	var out []button
	conv := func(blockID string, e map[string]any) button {
		b := button{BlockID: blockID}
		b.ActionID, _ = e["action_id"].(string)
		b.Value, _ = e["value"].(string)
		b.URL, _ = e["url"].(string)
		if t, ok := e["text"].(map[string]any); ok {
			b.Text, _ = t["text"].(string)
		}
		return b
	}
	for _, bl := range blocks {
		id, _ := bl["block_id"].(string)
		if els, ok := bl["elements"].([]any); ok && bl["type"] == "actions" {
			for _, e := range els {
				out = append(out, conv(id, e.(map[string]any)))
			}
		}
		if acc, ok := bl["accessory"].(map[string]any); ok {
			out = append(out, conv(id, acc))
		}
	}
	return out
}

func findButton(t testing.TB, blocks []map[string]any, label string) button {
	t.Helper()
	for _, b := range buttons(blocks) {
		if b.Text == label {
			return b
		}
	}
	t.Fatalf("no button %q in %v", label, buttons(blocks))
	return button{}
}

// texts joins the mrkdwn text of sections and contexts.
func texts(blocks []map[string]any) string {
	var parts []string
	for _, bl := range blocks {
		if t, ok := bl["text"].(map[string]any); ok {
			s, _ := t["text"].(string)
			parts = append(parts, s)
		}
		if fs, ok := bl["fields"].([]any); ok {
			for _, f := range fs {
				s, _ := f.(map[string]any)["text"].(string)
				parts = append(parts, s)
			}
		}
		if bl["type"] == "context" {
			for _, e := range bl["elements"].([]any) {
				s, _ := e.(map[string]any)["text"].(string)
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, "\n")
}

// inline decodes an inline slash command answer.
func inline(t testing.TB, body string) posted {
	t.Helper()
	var m struct {
		Text         string           `json:"text"`
		ResponseType string           `json:"response_type"`
		Blocks       []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("inline answer %q: %v", body, err)
	}
	return posted{Text: m.Text, ResponseType: m.ResponseType, Blocks: m.Blocks}
}

func urlUnescape(s string) (string, error) { return url.QueryUnescape(s) }
