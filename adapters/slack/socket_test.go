package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestSocketMode drives the adapter through slacktest's fake WebSocket:
// every envelope is acknowledged with its id, an app mention is answered in
// its thread, a slash command is answered in the ack, a click updates the
// dialog in place.
func TestSocketMode(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeEngine(), func(o *Options) { o.AppToken = "xapp-test"; o.SigningSecret = "" })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.a.RunSocketMode(ctx) }()

	type ack struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	waitAck := func(id string) ack {
		t.Helper()
		for {
			select {
			case m := <-h.fake.srv.SeenFeed:
				var a ack
				if json.Unmarshal([]byte(m), &a) == nil && a.EnvelopeID == id {
					return a
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no ack for %s", id)
			}
		}
	}
	send := func(typ, id, payload string) {
		h.fake.srv.SendToWebsocket(`{"type":"` + typ + `","envelope_id":"` + id + `","accepts_response_payload":true,"payload":` + payload + `}`)
	}

	send("events_api", "env-1", string(eventBody("EvS1", `{"type":"app_mention","user":"U1","text":"<@UBOT> question","ts":"5.0","channel":"C1"}`)))
	waitAck("env-1")
	if p := next(t, h.fake.posts, "answer to the mention"); p.Channel != "C1" || p.Thread != "5.0" {
		t.Errorf("posted to %q/%q, want C1/5.0", p.Channel, p.Thread)
	}

	cmd, _ := json.Marshal(map[string]string{"command": "/ia", "text": "admissibilite", "team_id": "T1", "user_id": "U1",
		"channel_id": "C1", "response_url": h.fake.responseURL("sock")})
	send("slash_commands", "env-2", string(cmd))
	a := waitAck("env-2")
	var q1 posted
	if err := json.Unmarshal(a.Payload, &q1); err != nil || !strings.Contains(texts(q1.Blocks), "*Question 1*") {
		t.Fatalf("slash command ack payload %s (%v)", a.Payload, err)
	}

	yes := findButton(t, q1.Blocks, "Oui")
	payload := click(h.fake, "U1", yes, true, "sock-1")
	// click() builds the HTTP form; Socket Mode carries the JSON itself.
	raw := strings.TrimPrefix(string(payload), "payload=")
	js, _ := urlUnescape(raw)
	send("interactive", "env-3", js)
	waitAck("env-3")
	if p := next(t, h.fake.responses, "second question"); !p.Replace || !strings.Contains(texts(p.Blocks), "*Question 2*") {
		t.Errorf("dialog not updated in place: %+v", p)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunSocketMode after cancel = %v, want nil", err)
	}
}
