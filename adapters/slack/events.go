package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/slack-go/slack/slackevents"
)

func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, raw []byte) {
	ev, err := slackevents.ParseEvent(raw, slackevents.OptionNoVerifyToken())
	if err != nil {
		if !json.Valid(raw) {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		// Signed but of a kind we do not handle: acknowledge so Slack
		// does not retry it.
		a.log.Debug("event ignored", "reason", err.Error())
		w.WriteHeader(http.StatusOK)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		uv, _ := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if uv == nil {
			http.Error(w, "bad url_verification", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(uv.Challenge))
		return
	case slackevents.AppRateLimited:
		a.rateLimited(ev)
	case slackevents.CallbackEvent:
		retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
		a.event(ev, retry)
	}
	// Acknowledged at once: the answer is posted by a goroutine.
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) rateLimited(ev slackevents.EventsAPIEvent) {
	rl, _ := ev.Data.(*slackevents.EventsAPIAppRateLimited)
	minute := 0
	if rl != nil {
		minute = rl.MinuteRateLimited
	}
	a.log.Warn("Slack is dropping this app's events (app_rate_limited): more than 30,000 events an hour in a workspace",
		"team", ev.TeamID, "minute_rate_limited", minute)
}

// event answers an app_mention in its thread and a direct message in the
// DM. Bot messages, edits, deletions and other subtypes are ignored; a
// retried delivery (same event_id, or the same message through another
// event) is answered once.
func (a *Adapter) event(ev slackevents.EventsAPIEvent, retry int) {
	cb, _ := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if cb == nil {
		return
	}
	var channel, user, text, ts, replyThread, sessionThread string
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.Edited != nil || e.User == "" {
			return
		}
		channel, user, text, ts = e.Channel, e.User, e.Text, e.TimeStamp
		replyThread = e.ThreadTimeStamp
		if replyThread == "" {
			replyThread = e.TimeStamp // start a thread under the mention
		}
		sessionThread = replyThread
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" || e.BotID != "" || e.SubType != "" || e.User == "" {
			return
		}
		channel, user, text, ts = e.Channel, e.User, e.Text, e.TimeStamp
		replyThread, sessionThread = e.ThreadTimeStamp, e.ThreadTimeStamp
	default:
		return
	}
	team := ev.TeamID
	a.goSafe("event "+ev.InnerEvent.Type, func(ctx context.Context) {
		if !a.firstSeen(ctx, "slack:event:"+cb.EventID, retry) ||
			!a.firstSeen(ctx, "slack:msg:"+channel+":"+ts, retry) {
			a.log.Info("duplicate event ignored", "event_id", cb.EventID, "retry", retry)
			return
		}
		m := identity(team, user, channel, sessionThread)
		m.Text = plainText(text)
		if m.Text == "" {
			m.Action = conversation.ActHelp // an empty mention or command asks for help
		}
		a.log.Debug("event", "type", ev.InnerEvent.Type, "user", a.hash(m.UserID), a.textAttr(m.Text))
		a.postChannel(ctx, channel, replyThread, a.ask(ctx, m, false, a.owner(m.UserID)))
	})
}

// firstSeen asks the runtime. If the store fails, a first delivery is
// answered (better than silence) and a retry is not (it may have been).
func (a *Adapter) firstSeen(ctx context.Context, key string, retry int) bool {
	first, err := a.rt.FirstSeen(ctx, key)
	if err != nil {
		return retry == 0
	}
	return first
}

// slackMarkup matches <@U123>, <#C123|name>, <https://x|label>, <!here>.
var slackMarkup = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)

// plainText turns a Slack message into what the user typed: mentions and
// special commands dropped, links shown by their label, entities decoded.
func plainText(s string) string {
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackMarkup.FindStringSubmatch(m)
		target, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
			return ""
		case label != "":
			return label
		case strings.HasPrefix(target, "#"):
			return ""
		}
		return target
	})
	return strings.TrimSpace(strings.Join(strings.Fields(unescaper.Replace(s)), " "))
}
