package main

import (
	"github.com/qc-ia/conformbot/adapters/teams"
	"github.com/qc-ia/conformbot/conversation"
)

// Microsoft Teams: the Bot Framework messaging endpoint on the `bot serve`
// listener, on when the bot registration's id and secret are set.
func init() {
	mounts = append(mounts, mount{
		name:    "teams",
		enabled: func(c Config) bool { return c.TeamsAppID != "" && c.TeamsAppPassword != "" },
		build:   buildTeams,
	})
}

func buildTeams(app *App) (conversation.Adapter, error) {
	c := app.Config
	return teams.New(teams.Config{
		AppID:          c.TeamsAppID,
		Password:       c.TeamsAppPassword,
		TenantID:       c.TeamsTenantID,
		OpenIDURL:      c.TeamsOpenIDURL,
		TokenURL:       c.TeamsTokenURL,
		Handler:        app.platformHandler(),
		Deduper:        app.Deduper,
		Logger:         app.Logger,
		LogMessageText: c.LogMessageText,
	})
}
