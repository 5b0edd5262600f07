package slack

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, _ []byte) {
	cb, err := slack.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	// Acknowledged at once; the reply goes through response_url.
	w.WriteHeader(http.StatusOK)
	a.interaction(cb)
}

// maxActionID is the engine's bound on Action ids.
const maxActionID = 100

var slackUserID = regexp.MustCompile(`^[A-Z0-9]{2,32}$`)

// interaction handles a button click: the engine's Action id comes back in
// the button's value. Dialog steps replace the clicked message in place;
// other replies are shown to the clicker only. Stale, foreign or unknown
// actions get a polite message.
func (a *Adapter) interaction(cb slack.InteractionCallback) {
	stale := func() {
		a.goSafe("stale action", func(ctx context.Context) {
			a.postResponse(ctx, cb.ResponseURL, ephemeral, false, []message{textMessage(msgStale)})
		})
	}
	if cb.Type != slack.InteractionTypeBlockActions {
		a.log.Info("unsupported interaction", "type", string(cb.Type))
		if cb.ResponseURL != "" {
			a.goSafe("unsupported interaction", func(ctx context.Context) {
				a.postResponse(ctx, cb.ResponseURL, ephemeral, false, []message{textMessage(msgUnsupported)})
			})
		}
		return
	}
	if len(cb.ActionCallback.BlockActions) == 0 {
		stale()
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	switch {
	case strings.HasPrefix(act.ActionID, actionLink):
		return // a link button: Slack opened the link, nothing to answer
	case act.ActionID == actionShare:
		a.share(cb, act.Value, stale)
		return
	}
	id := act.Value
	if id == "" {
		id = act.ActionID
	}
	channel := cb.Container.ChannelID
	if channel == "" {
		channel = cb.Channel.ID
	}
	thread := cb.Container.ThreadTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	m := identity(cb.Team.ID, cb.User.ID, channel, thread)
	m.Action = id
	kind, owner := parseBlockID(act.BlockID)
	if id == "" || len(id) > maxActionID || strings.HasPrefix(id, reservedPrefix) ||
		(owner != "" && owner != a.owner(m.UserID)) {
		a.log.Info("stale or foreign action", "user", a.hash(m.UserID), "foreign", owner != "" && owner != a.owner(m.UserID))
		stale()
		return
	}
	replace := kind == dialogBlock
	share := cb.Container.IsEphemeral
	a.goSafe("block action", func(ctx context.Context) {
		msgs := a.ask(ctx, m, share, a.owner(m.UserID))
		a.postResponse(ctx, cb.ResponseURL, ephemeral, replace, msgs)
	})
}

// share posts, in the channel, the answer the user saw privately.
func (a *Adapter) share(cb slack.InteractionCallback, token string, stale func()) {
	// Slack waits 3 s for the ack: the lookup gets part of that.
	ctx, cancel := context.WithTimeout(a.rt.Context(), time.Second)
	r, ok := a.getShare(ctx, token)
	cancel()
	if !ok || !slackUserID.MatchString(cb.User.ID) {
		stale()
		return
	}
	msgs := render(r, renderOptions{sharedBy: cb.User.ID})
	a.goSafe("share", func(ctx context.Context) {
		a.postResponse(ctx, cb.ResponseURL, inChannel, false, msgs)
	})
}
