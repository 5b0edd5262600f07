package slack

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/slack-go/slack"

	"github.com/qc-ia/conformbot/conversation"
)

// maxRetryWait caps a Retry-After so that a rate limit never holds work
// beyond its context either way.
const maxRetryWait = 30 * time.Second

// retry runs call again while Slack answers 429, waiting Retry-After.
func (a *Adapter) retry(ctx context.Context, op string, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || attempt >= a.opt.MaxRetries {
			return err
		}
		wait := min(rl.RetryAfter, maxRetryWait)
		a.log.Warn("slack rate limit, retrying", "op", op, "retry_after", rl.RetryAfter, "attempt", attempt+1)
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return err
			case <-t.C:
			}
		}
	}
}

// logSlackError says what an operator should do about a failed call.
func (a *Adapter) logSlackError(op string, err error) {
	if err == nil {
		return
	}
	var se slack.SlackErrorResponse
	code := ""
	if errors.As(err, &se) {
		code = se.Err
	}
	var hint string
	switch code {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired":
		hint = "SLACK_BOT_TOKEN invalide ou révoqué : réinstallez l'app et copiez le jeton xoxb- / bot token invalid or revoked: reinstall the app and copy the xoxb- token"
	case "channel_not_found", "not_in_channel":
		hint = "canal introuvable ou app absente du canal : invitez l'app (/invite @app) / channel not found or app not in it: invite the app"
	case "missing_scope":
		hint = "portée manquante : comparez avec deploy/slack/manifest.yml et réinstallez / missing scope: compare with deploy/slack/manifest.yml and reinstall"
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code == 404 {
		hint = "response_url expirée (30 min) ou déjà utilisée 5 fois / response_url expired or used up"
	}
	// A response_url is a bearer URL into the user's conversation: log what
	// went wrong with the request, never the URL.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = fmt.Errorf("%s: %w", uerr.Op, uerr.Err)
	}
	a.log.Error("slack call failed", "op", op, "code", code, "err", err, "hint", hint)
}

// postChannel posts msgs to a channel (in a thread when thread is set);
// a failure is logged with its hint, and stops the rest.
func (a *Adapter) postChannel(ctx context.Context, channel, thread string, msgs []message) error {
	for _, m := range msgs {
		opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)}
		if thread != "" {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		err := a.retry(ctx, "chat.postMessage", func() error {
			_, _, err := a.api.PostMessageContext(ctx, channel, opts...)
			return err
		})
		if err != nil {
			a.logSlackError("chat.postMessage", err)
			return err
		}
	}
	return nil
}

// Announce implements conversation.Announcer: r is posted in the channel
// as the bot's own message (the app must be a member of the channel).
func (a *Adapter) Announce(ctx context.Context, ch conversation.Channel, r conversation.Reply) error {
	if ch.ID == "" {
		return errors.New("slack: no channel")
	}
	return a.postChannel(ctx, ch.ID, "", render(r, renderOptions{}))
}

// Response types of a response_url message.
const (
	ephemeral = slack.ResponseTypeEphemeral
	inChannel = slack.ResponseTypeInChannel
)

// webhook is the JSON of an inline answer or of a response_url post.
func webhook(m message, responseType string, replace bool) *slack.WebhookMessage {
	return &slack.WebhookMessage{
		Text:            m.Text,
		Blocks:          &slack.Blocks{BlockSet: m.Blocks},
		ResponseType:    responseType,
		ReplaceOriginal: replace,
	}
}

// postResponse posts msgs through a response_url; the first one replaces
// the message the user clicked when replace is set.
func (a *Adapter) postResponse(ctx context.Context, url, responseType string, replace bool, msgs []message) {
	if url == "" {
		a.log.Error("no response_url in payload: answer dropped")
		return
	}
	for i, m := range msgs {
		w := webhook(m, responseType, replace && i == 0)
		err := a.retry(ctx, "response_url", func() error {
			return slack.PostWebhookCustomHTTPContext(ctx, url, a.opt.HTTPClient, w)
		})
		if err != nil {
			a.logSlackError("response_url", err)
			return
		}
	}
}
