package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
)

// teamsDriver plays the Bot Connector: authenticated activities in, cards
// posted back to the fake connector.
type teamsDriver struct {
	e *env
	n atomic.Int64
}

func (d *teamsDriver) deliver(t testing.TB, act map[string]any) adaptertest.Out {
	t.Helper()
	act["id"] = fmt.Sprintf("conf-%d", d.n.Add(1))
	if got := d.e.post(t, d.e.validToken(t), act); got != 200 {
		t.Fatalf("activity: status %d", got)
	}
	d.e.a.Wait() // the reply is posted by background work
	return d.collect(t, "")
}

// collect reads what the connector received; every post goes to path when set.
func (d *teamsDriver) collect(t testing.TB, path string) adaptertest.Out {
	t.Helper()
	o := adaptertest.Out{Limit: d.e.a.limit}
	for {
		select {
		case p := <-d.e.conn.Got:
			if !p.Message() {
				continue // updates of earlier cards, typing: not part of this reply
			}
			if path != "" && !strings.HasSuffix(p.Path, path) {
				t.Errorf("posted to %s; want %s", p.Path, path)
			}
			for _, att := range p.Activity.Attachments {
				o.Messages++
				o.Lengths = append(o.Lengths, len(att.Content))
				var c card
				if err := json.Unmarshal(att.Content, &c); err != nil {
					t.Fatalf("card: %v", err)
				}
				texts, actions := cardText(&c)
				o.Text += strings.Join(texts, "\n") + "\n"
				for _, a := range actions {
					if a.Type == "Action.Submit" && a.Data != nil {
						o.Buttons = append(o.Buttons, adaptertest.Button{Label: a.Title, Ref: a.Data.Action})
					}
				}
			}
		default:
			return o
		}
	}
}

func (d *teamsDriver) Send(t testing.TB, _ string, text string) adaptertest.Out {
	return d.deliver(t, d.e.activity(text))
}

func (d *teamsDriver) Click(t testing.TB, _ string, b adaptertest.Button) adaptertest.Out {
	act := d.e.activity("")
	act["value"] = map[string]any{"action": b.Ref}
	return d.deliver(t, act)
}

func (d *teamsDriver) Announce(t testing.TB, ch conversation.Channel, r conversation.Reply) adaptertest.Out {
	t.Helper()
	if err := d.e.a.Announce(context.Background(), ch, r); err != nil {
		t.Fatalf("Announce: %v", err)
	}
	return d.collect(t, "/v3/conversations/"+url.PathEscape(ch.ID)+"/activities")
}

func (d *teamsDriver) Shutdown(ctx context.Context) error { return d.e.a.Shutdown(ctx) }

func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T, h *adaptertest.Handler) adaptertest.Driver {
		return &teamsDriver{e: newEnv(t, h)}
	})
}
