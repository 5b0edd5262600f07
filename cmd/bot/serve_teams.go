package main

import (
	"context"
	"net/http"

	"github.com/qc-ia/conformbot/adapters/teams"
)

// Microsoft Teams: the Bot Framework messaging endpoint on the `bot serve`
// listener, on when the bot registration's id and secret are set.
func init() {
	mounts = append(mounts, mount{
		name:    "teams",
		enabled: func(c Config) bool { return c.TeamsAppID != "" && c.TeamsAppPassword != "" },
		setup:   setupTeams,
	})
}

const teamsShutdownGrace = shutdownTimeout / 2

func setupTeams(_ context.Context, app *App, mux *http.ServeMux) (func(context.Context) error, error) {
	c := app.Config
	a, err := teams.New(teams.Config{
		AppID:          c.TeamsAppID,
		Password:       c.TeamsAppPassword,
		TenantID:       c.TeamsTenantID,
		OpenIDURL:      c.TeamsOpenIDURL,
		TokenURL:       c.TeamsTokenURL,
		Handler:        app.Handler,
		Deduper:        app.Deduper,
		Logger:         app.Logger,
		LogMessageText: c.LogMessageText,
	})
	if err != nil {
		return nil, err
	}
	mux.Handle(teams.Path, a)
	app.Logger.Info("Teams endpoint ready", "component", "teams", "path", teams.Path)
	// The loop only holds the adapter until shutdown, then gives replies in
	// progress a grace period, within the shutdown timeout of `bot serve`.
	return func(ctx context.Context) error {
		<-ctx.Done()
		grace, cancel := context.WithTimeout(context.Background(), teamsShutdownGrace)
		defer cancel()
		a.Shutdown(grace)
		return nil
	}, nil
}
