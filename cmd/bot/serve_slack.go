package main

import (
	slackadapter "github.com/qc-ia/conformbot/adapters/slack"
	"github.com/qc-ia/conformbot/conversation"
)

// Slack is on when a bot token comes with a signing secret (HTTP endpoints
// on the `bot serve` listener) or an app-level token (Socket Mode, no public
// URL); both may be set.
func init() {
	mounts = append(mounts, mount{
		name:    "slack",
		enabled: slackEnabled,
		build:   buildSlack,
	})
}

func slackEnabled(c Config) bool {
	return c.SlackBotToken != "" && (c.SlackSigningSecret != "" || c.SlackAppToken != "")
}

func buildSlack(app *App) (conversation.Adapter, error) {
	c := app.Config
	return slackadapter.New(slackadapter.Options{
		BotToken:       c.SlackBotToken,
		SigningSecret:  c.SlackSigningSecret,
		AppToken:       c.SlackAppToken,
		Command:        c.SlackCommand,
		APIURL:         c.SlackAPIURL,
		Handler:        app.platformHandler(),
		Deduper:        app.Deduper,
		Shares:         app.Store,
		Logger:         app.Logger,
		LogMessageText: c.LogMessageText,
	})
}
