package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode connects to Slack over a WebSocket (no public URL needed)
// and serves commands, events and interactions until ctx ends. Every
// request is acknowledged at once; answers follow as in HTTP mode.
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.opt.AppToken == "" {
		return errors.New("slack: SLACK_APP_TOKEN manquant / missing app-level token for Socket Mode")
	}
	client := socketmode.New(a.api, socketmode.OptionLog(slogOutput{a.log}))
	errc := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				a.rt.LogPanic("socket mode", v)
				errc <- errors.New("slack: socket mode stopped after a panic")
			}
		}()
		errc <- client.RunContext(ctx)
	}()
	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode: %w (vérifiez SLACK_APP_TOKEN, jeton xapp- avec connections:write / check SLACK_APP_TOKEN, an xapp- token with connections:write)", err)
		case evt := <-client.Events:
			a.socketEvent(client, evt)
		}
	}
}

func (a *Adapter) socketEvent(client *socketmode.Client, evt socketmode.Event) {
	defer a.rt.Recover("socket mode event")
	ack := func(payload ...any) {
		if evt.Request == nil {
			return
		}
		if err := client.Ack(*evt.Request, payload...); err != nil {
			a.log.Error("socket mode ack failed", "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.log.Debug("socket mode connecting")
	case socketmode.EventTypeConnected:
		a.log.Info("socket mode connected")
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("socket mode: invalid_auth: SLACK_APP_TOKEN invalide (jeton xapp- avec connections:write) / invalid app-level token (xapp- with connections:write)")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("socket mode trouble, reconnecting", "type", string(evt.Type), "detail", errorDetail(evt.Data))
	case socketmode.EventTypeEventsAPI:
		ack()
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		switch ev.Type {
		case slackevents.CallbackEvent:
			retry := 0
			if evt.Request != nil {
				retry = evt.Request.RetryAttempt
			}
			a.event(ev, retry)
		case slackevents.AppRateLimited:
			a.rateLimited(ev)
		}
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			ack()
			return
		}
		// The command waits up to InlineBudget for an inline answer: not on
		// the loop that reads every other event.
		a.rt.Go("socket mode command", func(context.Context) {
			a.command(cmd, func(wm *slack.WebhookMessage) {
				if wm == nil {
					ack()
					return
				}
				ack(wm)
			})
		})
	case socketmode.EventTypeInteractive:
		ack()
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			a.interaction(cb)
		}
	}
}

func errorDetail(v any) string {
	switch d := v.(type) {
	case error:
		return d.Error()
	case *slack.ConnectionErrorEvent:
		return d.ErrorObj.Error()
	case *socketmode.ErrorBadMessage:
		return d.Cause.Error()
	case *socketmode.ErrorWriteFailed:
		return d.Cause.Error()
	}
	return ""
}

// slogOutput routes the socketmode library's own log lines to debug.
type slogOutput struct{ l *slog.Logger }

func (o slogOutput) Output(_ int, s string) error {
	o.l.Debug(s, "from", "socketmode")
	return nil
}
