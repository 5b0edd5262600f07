package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	slackadapter "github.com/qc-ia/conformbot/adapters/slack"
)

// Slack is on when a bot token comes with a signing secret (HTTP endpoints
// on the `bot serve` listener) or an app-level token (Socket Mode, no public
// URL); both may be set.
func init() {
	mounts = append(mounts, mount{
		name:    "slack",
		enabled: slackEnabled,
		setup:   setupSlack,
	})
}

func slackEnabled(c Config) bool {
	return c.SlackBotToken != "" && (c.SlackSigningSecret != "" || c.SlackAppToken != "")
}

func setupSlack(ctx context.Context, app *App, mux *http.ServeMux) (func(context.Context) error, error) {
	c := app.Config
	a, err := slackadapter.New(slackadapter.Options{
		BotToken:       c.SlackBotToken,
		SigningSecret:  c.SlackSigningSecret,
		AppToken:       c.SlackAppToken,
		Command:        c.SlackCommand,
		APIURL:         c.SlackAPIURL,
		Handler:        app.Handler,
		Deduper:        app.Deduper,
		Shares:         app.Store,
		Logger:         app.Logger,
		LogMessageText: c.LogMessageText,
	})
	if err != nil {
		return nil, err
	}
	logger := app.Logger
	if logger == nil {
		logger = slog.Default()
	}
	log := logger.With("component", "slack")
	// In `bot serve`, answers still being posted finish by the shutdown
	// deadline, then the rest is cancelled; elsewhere (tests) they are
	// cancelled when ctx ends.
	app.onDrain(func(deadline time.Time) {
		waitBy(a.Wait, deadline)
		a.Close()
	})
	context.AfterFunc(ctx, func() {
		if !app.draining.Load() {
			a.Close()
		}
	})
	if c.SlackSigningSecret != "" {
		a.Register(mux)
		log.Info("Slack HTTP endpoints ready", "paths", "/slack/commands /slack/events /slack/interactions", "command", c.SlackCommand)
	}
	if c.SlackAppToken == "" {
		return nil, nil
	}
	log.Info("Slack Socket Mode enabled", "command", c.SlackCommand)
	return a.RunSocketMode, nil
}
