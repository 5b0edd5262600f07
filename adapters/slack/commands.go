package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/slack-go/slack"
)

// maxInline is the largest inline answer; Socket Mode refuses acks of 20 KB
// or more, and a larger answer goes through response_url either way.
const maxInline = 18 << 10

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, _ []byte) {
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	a.command(cmd, func(wm *slack.WebhookMessage) {
		if wm == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		b, err := json.Marshal(wm)
		if err != nil {
			a.log.Error("cannot encode answer", "err", err)
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
}

// command answers a slash command. ack is called exactly once, within
// InlineBudget: with the answer when the engine is that fast, else empty
// (nil) while the answer follows through response_url. The answer is
// ephemeral: only the asker sees it, with a button to share it.
func (a *Adapter) command(cmd slack.SlashCommand, ack func(*slack.WebhookMessage)) {
	if cmd.Command != a.opt.Command {
		a.log.Warn("unexpected slash command: check SLACK_COMMAND and the app manifest", "command", cmd.Command, "want", a.opt.Command)
		ack(webhook(textMessage(msgUnsupported), ephemeral, false))
		return
	}
	m := identity(cmd.TeamID, cmd.UserID, cmd.ChannelID, "")
	m.Text = plainText(cmd.Text) // Slack sends &, <, > as entities
	if m.Text == "" {
		m.Action = conversation.ActHelp // an empty mention or command asks for help
	}
	a.log.Debug("slash command", "user", a.hash(m.UserID), a.textAttr(m.Text))

	// The worker hands its answer over if the request still waits, else
	// posts it itself: the lock makes "still waits" and the hand-over atomic,
	// so the answer is delivered exactly once.
	var mu sync.Mutex
	late := false
	inline := make(chan []message, 1)
	url := cmd.ResponseURL
	a.goSafe("slash command", func(ctx context.Context) {
		msgs := a.ask(ctx, m, true, a.owner(m.UserID))
		mu.Lock()
		posted := late
		if !late {
			inline <- msgs
		}
		mu.Unlock()
		if posted {
			a.postResponse(ctx, url, ephemeral, false, msgs)
		}
	})
	t := time.NewTimer(a.opt.InlineBudget)
	defer t.Stop()
	var msgs []message
	select {
	case msgs = <-inline:
	case <-t.C:
		mu.Lock()
		late = true
		mu.Unlock()
		select {
		case msgs = <-inline: // handed over just before the deadline
		default:
			ack(nil)
			return
		}
	}
	first := webhook(msgs[0], ephemeral, false)
	if b, err := json.Marshal(first); err != nil || len(b) >= maxInline {
		ack(nil)
		a.goSafe("slash command follow-up", func(ctx context.Context) { a.postResponse(ctx, url, ephemeral, false, msgs) })
		return
	}
	ack(first)
	if len(msgs) > 1 {
		a.goSafe("slash command follow-up", func(ctx context.Context) { a.postResponse(ctx, url, ephemeral, false, msgs[1:]) })
	}
}
