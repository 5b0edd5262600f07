package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
)

// slackDriver plays Slack: a direct message is a signed message.im event
// answered with chat.postMessage; a click is a signed block_actions
// payload answered through its response_url.
type slackDriver struct {
	h *harness
	n atomic.Int64
}

func (d *slackDriver) collect(ch chan posted) adaptertest.Out {
	d.h.a.Wait() // the answer is posted by background work
	o := adaptertest.Out{Limit: maxSectionText}
	for {
		select {
		case p := <-ch:
			o.Messages++
			o.Text += texts(p.Blocks) + "\n"
			for _, bl := range p.Blocks {
				if t, ok := bl["text"].(map[string]any); ok {
					s, _ := t["text"].(string)
					o.Lengths = append(o.Lengths, conversation.UTF16Len(s))
				}
			}
			for _, b := range buttons(p.Blocks) {
				if b.URL != "" {
					continue
				}
				ref, _ := json.Marshal(b)
				o.Buttons = append(o.Buttons, adaptertest.Button{Label: b.Text, Ref: string(ref)})
			}
		default:
			return o
		}
	}
}

func (d *slackDriver) Send(t testing.TB, user, text string) adaptertest.Out {
	t.Helper()
	n := d.n.Add(1)
	ev, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T1", "event_id": fmt.Sprintf("Ev%06d", n),
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "D1", "user": user,
			"text": text, "ts": fmt.Sprintf("1700000000.%06d", n)},
	})
	if code, body := d.h.post(t, "/slack/events", "application/json", ev); code != 200 {
		t.Fatalf("event: %d %s", code, body)
	}
	return d.collect(d.h.fake.posts)
}

func (d *slackDriver) Click(t testing.TB, user string, b adaptertest.Button) adaptertest.Out {
	t.Helper()
	var bt button
	if err := json.Unmarshal([]byte(b.Ref), &bt); err != nil {
		t.Fatal(err)
	}
	// The click comes from the direct message the answer was posted in.
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": user},
		"channel":      map[string]any{"id": "D1"},
		"container":    map[string]any{"type": "message", "channel_id": "D1", "message_ts": "1700000000.000100"},
		"response_url": d.h.fake.responseURL(fmt.Sprintf("r%d", d.n.Add(1))),
		"actions": []map[string]any{{"type": "button", "action_id": bt.ActionID, "block_id": bt.BlockID, "value": bt.Value,
			"text": map[string]any{"type": "plain_text", "text": bt.Text}}},
	})
	form := []byte(url.Values{"payload": {string(payload)}}.Encode())
	if code, body := d.h.post(t, "/slack/interactions", formType, form); code != 200 {
		t.Fatalf("interaction: %d %s", code, body)
	}
	return d.collect(d.h.fake.responses)
}

func (d *slackDriver) Announce(t testing.TB, ch conversation.Channel, r conversation.Reply) adaptertest.Out {
	t.Helper()
	if ch.ID != "D1" {
		t.Errorf("subscribed channel %q; want D1, where « abonner » was typed", ch.ID)
	}
	if err := d.h.a.Announce(context.Background(), ch, r); err != nil {
		t.Fatalf("Announce: %v", err)
	}
	return d.collect(d.h.fake.posts)
}

func (d *slackDriver) Shutdown(ctx context.Context) error { return d.h.a.Shutdown(ctx) }

func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T, h *adaptertest.Handler) adaptertest.Driver {
		return &slackDriver{h: newHarness(t, h)}
	})
}
