package discord

import (
	"bytes"
	"crypto/ed25519"
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
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/testengine"
	"github.com/qc-ia/conformbot/internal/testlog"
)

// restCall is one request the adapter made to Discord's REST API.
type restCall struct {
	Method string
	Path   string // without the /api/vN prefix
	Query  string
	Body   map[string]any // a JSON object body
	Raw    []byte
}

// fakeREST stands in for discord.com/api: it records every call on a
// channel and answers like Discord (a message object, or 204 for callbacks).
type fakeREST struct {
	srv   *httptest.Server
	calls chan restCall
	// status, if set, picks the HTTP status of a call (default 200).
	status func(c restCall, n int) (int, string)
	mu     sync.Mutex
	n      int
}

func newFakeREST(t *testing.T) *fakeREST {
	t.Helper()
	f := &fakeREST{calls: make(chan restCall, 100)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := restCall{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api/v"+discordgo.APIVersion), Query: r.URL.RawQuery}
		raw, _ := io.ReadAll(r.Body)
		c.Raw = raw
		if len(raw) > 0 && raw[0] == '{' {
			if err := json.Unmarshal(raw, &c.Body); err != nil {
				t.Errorf("REST %s %s: body is not JSON: %v", r.Method, c.Path, err)
			}
		}
		f.mu.Lock()
		f.n++
		n := f.n
		f.mu.Unlock()
		if f.status != nil {
			if code, body := f.status(c, n); code != http.StatusOK {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				io.WriteString(w, body)
				return
			}
		}
		f.calls <- c
		if strings.HasSuffix(c.Path, "/callback") {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPut && strings.HasSuffix(c.Path, "/commands") {
			w.Write(raw) // Discord answers with the commands it stored
			return
		}
		fmt.Fprintf(w, `{"id":"%d","channel_id":"c1","content":""}`, 9000+n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// next waits for the next REST call.
func (f *fakeREST) next(t *testing.T) restCall {
	t.Helper()
	select {
	case c := <-f.calls:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no REST call to Discord within 10 s")
		return restCall{}
	}
}

// none checks that no REST call is pending (call it after the adapter's
// work has finished: handlers are synchronous, follow-ups end with Wait).
func (f *fakeREST) none(t *testing.T) {
	t.Helper()
	select {
	case c := <-f.calls:
		t.Errorf("unexpected REST call %s %s", c.Method, c.Path)
	default:
	}
}

// toFake sends discordgo's requests for discord.com to the fake server, so
// the real discordgo REST code runs against it without touching the
// package-level Endpoint variables. Anything else is refused: tests only
// talk to 127.0.0.1.
type toFake struct{ base *url.URL }

func (t toFake) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "discord.com" {
		return nil, fmt.Errorf("test: refusing request to %s", r.URL.Host)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}

const (
	testAppID = "100000000000000001"
	testBotID = "100000000000000001"
	testUser  = "200000000000000002"
	testChan  = "300000000000000003"
	testGuild = "400000000000000004"
)

// testSession is a discordgo session whose REST calls reach f.
func testSession(t *testing.T, f *fakeREST) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(f.srv.URL)
	s.Client = &http.Client{Transport: toFake{base}, Timeout: 10 * time.Second}
	s.State.User = &discordgo.User{ID: testBotID, Username: "conformbot", Bot: true}
	// Event handlers (the rate-limit log) run before discordgo goes on, so
	// a test sees their effect once the next REST call arrives.
	s.SyncEvents = true
	return s
}

// rig is an adapter wired to a fake engine, a fake REST API and a key pair.
type rig struct {
	a    *Adapter
	rest *fakeREST
	priv ed25519.PrivateKey
	logs *testlog.Buffer
	h    http.Handler
	now  time.Time
}

func newRig(t *testing.T, h conversation.Handler, tweak func(*Options)) *rig {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{rest: newFakeREST(t), priv: priv, logs: &testlog.Buffer{}, now: time.Unix(1_800_000_000, 0)}
	o := Options{
		Handler:   h,
		Logger:    slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		AppID:     testAppID,
		PublicKey: hex.EncodeToString(pub),
		Now:       func() time.Time { return r.now },
		// A test engine answers at once; a generous budget keeps slow CI
		// machines (-race) on the inline path unless a test wants otherwise.
		InlineBudget: 5 * time.Second,
	}
	o.Session = testSession(t, r.rest)
	if tweak != nil {
		tweak(&o)
	}
	r.a, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	r.h, err = r.a.InteractionsHandler()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.a.Wait)
	return r
}

// post sends body to the interactions endpoint signed at ts with key.
func (r *rig) post(t *testing.T, body []byte, ts time.Time, key ed25519.PrivateKey) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, signedRequest(body, ts, key))
	return w
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func hexKey(k ed25519.PublicKey) string { return hex.EncodeToString(k) }

// hexSign signs like Discord: Ed25519 over timestamp + body, in hex.
func hexSign(key ed25519.PrivateKey, stamp string, body []byte) string {
	return hex.EncodeToString(ed25519.Sign(key, append([]byte(stamp), body...)))
}

func httpBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// response is an interaction response as Discord reads it.
type response struct {
	Type    discordgo.InteractionResponseType
	Content string
	Flags   discordgo.MessageFlags
	Buttons [][]string // custom ids (or URLs), row by row
	Labels  []string
}

// interact posts a signed interaction and decodes the response.
func (r *rig) interact(t *testing.T, i map[string]any) response {
	t.Helper()
	body, err := json.Marshal(i)
	if err != nil {
		t.Fatal(err)
	}
	w := r.post(t, body, r.now, r.priv)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	return decodeResponse(t, w.Body.Bytes())
}

func decodeResponse(t *testing.T, raw []byte) response {
	t.Helper()
	var wire struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data *struct {
			Content    string                 `json:"content"`
			Flags      discordgo.MessageFlags `json:"flags"`
			Components []json.RawMessage      `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &wire); err != nil {
		t.Fatalf("not an interaction response: %v: %s", err, raw)
	}
	resp := response{Type: wire.Type}
	if wire.Data == nil {
		return resp
	}
	resp.Content, resp.Flags = wire.Data.Content, wire.Data.Flags
	for _, c := range wire.Data.Components {
		mc, err := discordgo.MessageComponentFromJSON(c)
		if err != nil {
			t.Fatalf("component: %v", err)
		}
		row, ok := mc.(*discordgo.ActionsRow)
		if !ok {
			t.Fatalf("component %T, want an actions row", mc)
		}
		var ids []string
		for _, b := range row.Components {
			btn, ok := b.(*discordgo.Button)
			if !ok {
				t.Fatalf("row holds %T, want buttons", b)
			}
			id := btn.CustomID
			if btn.URL != "" {
				id = btn.URL
			}
			ids = append(ids, id)
			resp.Labels = append(resp.Labels, btn.Label)
		}
		resp.Buttons = append(resp.Buttons, ids)
	}
	return resp
}

// Interactions as Discord sends them (discord.com/developers/docs/interactions).
func slashAsk(id, question string) map[string]any {
	return map[string]any{
		"id": id, "application_id": testAppID, "type": 2, "token": "tok-" + id, "version": 1,
		"channel_id": testChan, "guild_id": testGuild, "locale": "fr",
		"member": map[string]any{"user": map[string]any{"id": testUser, "username": "agent"}},
		"data": map[string]any{"id": "cmd1", "name": CommandAsk, "type": 1,
			"options": []any{map[string]any{"name": "question", "type": 3, "value": question}}},
	}
}

func slashEligibility(id, locale string) map[string]any {
	return map[string]any{
		"id": id, "application_id": testAppID, "type": 2, "token": "tok-" + id, "version": 1,
		"channel_id": testChan, "locale": locale,
		"user": map[string]any{"id": testUser, "username": "agent"}, // a DM: user, no member
		"data": map[string]any{"id": "cmd2", "name": CommandEligibility, "type": 1},
	}
}

func click(id, customID string) map[string]any {
	return map[string]any{
		"id": id, "application_id": testAppID, "type": 3, "token": "tok-" + id, "version": 1,
		"channel_id": testChan, "guild_id": testGuild, "locale": "fr",
		"member":  map[string]any{"user": map[string]any{"id": testUser, "username": "agent"}},
		"message": map[string]any{"id": "500000000000000005", "channel_id": testChan, "content": "…"},
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
	}
}

// bodyButtons does the same for a REST body.
func bodyButtons(body map[string]any) []string {
	var ids []string
	rows, _ := body["components"].([]any)
	for _, r := range rows {
		for _, b := range r.(map[string]any)["components"].([]any) {
			ids = append(ids, b.(map[string]any)["custom_id"].(string))
		}
	}
	return ids
}

// recorder is a fake engine that records what it was given.
type recorder = testengine.Recorder

func textReply(s ...string) func(conversation.Message) (conversation.Reply, error) {
	return func(conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{Lang: conversation.LangFR, Text: s}, nil
	}
}
