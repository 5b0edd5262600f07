package main

import (
	"context"

	"github.com/qc-ia/conformbot/adapters/discord"
	"github.com/qc-ia/conformbot/conversation"
)

// Discord in `bot serve`: the HTTP interactions endpoint when
// DISCORD_PUBLIC_KEY is set; the gateway (direct messages, mentions, and
// interactions when no endpoint URL is set in the portal) when
// DISCORD_BOT_TOKEN is set; the slash commands registered at start when
// DISCORD_APP_ID is set too.
func init() {
	mounts = append(mounts, mount{
		name: "discord",
		enabled: func(c Config) bool {
			return c.DiscordPublicKey != "" || c.DiscordBotToken != ""
		},
		build: buildDiscord,
	})
}

func buildDiscord(app *App) (conversation.Adapter, error) {
	c := app.Config
	var lease func(context.Context, func(context.Context) error) error
	if app.Store != nil {
		// Discord allows one gateway connection per bot token: among the
		// replicas, the lease holder opens it (and registers the commands).
		log := app.Logger.With("component", "discord")
		lease = func(ctx context.Context, run func(context.Context) error) error {
			return runLeased(ctx, app.Store, "discord-gateway", app.Replica, log, func(held bool) {
				if app.Metrics != nil {
					app.Metrics.gateway.Set(map[bool]float64{true: 1}[held])
				}
			}, run)
		}
	}
	return discord.New(discord.Options{
		Lease:     lease,
		Handler:   app.platformHandler(),
		Logger:    app.Logger,
		Deduper:   app.Deduper,
		Token:     c.DiscordBotToken,
		AppID:     c.DiscordAppID,
		GuildID:   c.DiscordGuildID,
		PublicKey: c.DiscordPublicKey,
		APIURL:    c.DiscordAPIURL,
	})
}
