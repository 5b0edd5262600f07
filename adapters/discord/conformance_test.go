package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
)

// discordDriver plays Discord: signed interactions (the /ia command, button
// clicks) on the HTTP endpoint, follow-ups read from the fake REST API.
type discordDriver struct {
	r *rig
	n atomic.Int64
}

type wireMessage struct {
	Content    string                    `json:"content"`
	Components []json.RawMessage         `json:"components"`
	Embeds     []*discordgo.MessageEmbed `json:"embeds"`
}

func (d *discordDriver) add(t testing.TB, o *adaptertest.Out, m wireMessage) {
	o.Messages++
	o.Text += m.Content + "\n"
	for _, e := range m.Embeds {
		o.Text += e.Title + "\n"
		for _, f := range e.Fields {
			o.Text += f.Name + " : " + f.Value + "\n"
		}
	}
	o.Lengths = append(o.Lengths, conversation.UTF16Len(m.Content))
	for _, c := range m.Components {
		mc, err := discordgo.MessageComponentFromJSON(c)
		if err != nil {
			t.Fatalf("component: %v", err)
		}
		if row, ok := mc.(*discordgo.ActionsRow); ok {
			for _, b := range row.Components {
				if btn, ok := b.(*discordgo.Button); ok && btn.CustomID != "" {
					o.Buttons = append(o.Buttons, adaptertest.Button{Label: btn.Label, Ref: btn.CustomID})
				}
			}
		}
	}
}

func (d *discordDriver) interact(t testing.TB, i map[string]any) adaptertest.Out {
	t.Helper()
	body, err := json.Marshal(i)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	d.r.h.ServeHTTP(w, signedRequest(body, d.r.now, d.r.priv))
	if w.Code != 200 {
		t.Fatalf("interaction: status %d %s", w.Code, w.Body)
	}
	var resp struct {
		Data *wireMessage `json:"data"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("interaction response: %v", err)
	}
	o := adaptertest.Out{Limit: MaxMessageLen}
	if resp.Data != nil {
		d.add(t, &o, *resp.Data)
	}
	d.r.a.Wait() // follow-ups and deferred answers are sent by background work
	return d.collect(t, o, "")
}

// collect adds what the fake REST API received to o; every call goes to
// path when set.
func (d *discordDriver) collect(t testing.TB, o adaptertest.Out, path string) adaptertest.Out {
	t.Helper()
	for {
		select {
		case c := <-d.r.rest.calls:
			if path != "" && c.Path != path {
				t.Errorf("REST %s %s; want %s", c.Method, c.Path, path)
			}
			var m wireMessage
			if err := json.Unmarshal(c.Raw, &m); err == nil && m.Content != "" {
				d.add(t, &o, m)
			}
		default:
			return o
		}
	}
}

func (d *discordDriver) id() string { return fmt.Sprint(960000 + d.n.Add(1)) }

func (d *discordDriver) Send(t testing.TB, _ string, text string) adaptertest.Out {
	return d.interact(t, slashAsk(d.id(), text))
}

func (d *discordDriver) Click(t testing.TB, _ string, b adaptertest.Button) adaptertest.Out {
	return d.interact(t, click(d.id(), b.Ref))
}

func (d *discordDriver) Announce(t testing.TB, ch conversation.Channel, r conversation.Reply) adaptertest.Out {
	t.Helper()
	if err := d.r.a.Announce(context.Background(), ch, r); err != nil {
		t.Fatalf("Announce: %v", err)
	}
	return d.collect(t, adaptertest.Out{Limit: MaxMessageLen}, "/channels/"+ch.ID+"/messages")
}

func (d *discordDriver) Shutdown(ctx context.Context) error { return d.r.a.Shutdown(ctx) }

func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T, h *adaptertest.Handler) adaptertest.Driver {
		return &discordDriver{r: newRig(t, h, nil)}
	})
}
