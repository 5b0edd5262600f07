package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// discordReply is an interaction response as Discord reads it.
type discordReply struct {
	Type int `json:"type"`
	Data struct {
		Content    string `json:"content"`
		Components []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
				URL      string `json:"url"`
			} `json:"components"`
		} `json:"components"`
	} `json:"data"`
}

func (r discordReply) ids() []string {
	var ids []string
	for _, row := range r.Data.Components {
		for _, b := range row.Components {
			ids = append(ids, b.CustomID+b.URL)
		}
	}
	return ids
}

// TestDiscordEndToEnd: `bot serve` (real listener, server, engine on the
// embedded FAQ and rules, SQLite store) with only Discord's interactions
// endpoint on: signed interactions over HTTP run the eligibility check by
// buttons to a verdict, each step updating the dialog's message.
func TestDiscordEndToEnd(t *testing.T) {
	t.Parallel()
	pub, priv, _ := ed25519.GenerateKey(nil)
	cfg := Config{DataDir: t.TempDir(), DiscordPublicKey: hex.EncodeToString(pub),
		SessionTTL: time.Hour, Retention: time.Hour, EscalationEmail: conversation.DefaultEscalationEmail}
	ctx, cancel := context.WithCancel(context.Background())
	app := buildTestApp(ctx, t, cfg, nil)
	t.Cleanup(cancel)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- serve(ctx, io.Discard, app, ln, []mount{registeredMount(t, "discord")}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	url := "http://" + ln.Addr().String() + "/discord/interactions"

	n := 0
	send := func(kind int, data string) discordReply {
		t.Helper()
		n++
		body := []byte(`{"id":"` + strconv.Itoa(n) + `","application_id":"1","type":` + strconv.Itoa(kind) +
			`,"token":"t","version":1,"channel_id":"3","locale":"fr","user":{"id":"2","username":"agent"},"data":` + data + `}`)
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r discordReply
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d, decode: %v", resp.StatusCode, err)
		}
		return r
	}
	// The same steps on the engine itself, as another user, say what to expect.
	ref := conversation.Message{Platform: "discord", UserID: "ref", ConversationID: "ref"}
	expect := func(text, action string) conversation.Reply {
		m := ref
		m.Text, m.Action = text, action
		r, err := app.Engine.Handle(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	r := send(2, `{"id":"9","name":"admissibilite","type":1}`)
	want := expect("admissibilite", "")
	if r.Type != 4 || want.Question == nil || !strings.Contains(r.Data.Content, want.Question.Prompt) {
		t.Fatalf("/admissibilite: type %d %q, want the first question", r.Type, r.Data.Content)
	}
	for step := 1; want.Verdict == nil; step++ {
		if step > 20 {
			t.Fatal("no verdict after 20 answers")
		}
		var id string
		for _, c := range r.ids() {
			if strings.HasPrefix(c, "elig:ans:") && strings.HasSuffix(c, ":no") {
				id = c
			}
		}
		if id == "" {
			t.Fatalf("step %d: no « Non » button among %v", step, r.ids())
		}
		r = send(3, `{"custom_id":"`+id+`","component_type":2}`)
		want = expect("", id)
		if r.Type != 7 {
			t.Errorf("step %d: type %d, want 7 (updated in place)", step, r.Type)
		}
		part := ""
		if want.Question != nil {
			part = want.Question.Prompt
		} else if want.Verdict != nil {
			part = want.Verdict.Title
		}
		if part == "" || !strings.Contains(r.Data.Content, part) {
			t.Fatalf("step %d: content %q lacks %q", step, r.Data.Content, part)
		}
	}
}
