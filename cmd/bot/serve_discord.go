package main

import (
	"context"
	"net/http"

	"github.com/qc-ia/conformbot/adapters/discord"
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
		setup: setupDiscord,
	})
}

func setupDiscord(_ context.Context, app *App, mux *http.ServeMux) (func(context.Context) error, error) {
	c := app.Config
	log := app.Logger.With("component", "discord")
	a, err := discord.New(discord.Options{
		Handler:   app.Handler,
		Logger:    app.Logger,
		Deduper:   app.Deduper,
		Token:     c.DiscordBotToken,
		AppID:     c.DiscordAppID,
		GuildID:   c.DiscordGuildID,
		PublicKey: c.DiscordPublicKey,
	})
	if err != nil {
		return nil, err
	}
	if c.DiscordPublicKey != "" {
		h, err := a.InteractionsHandler()
		if err != nil {
			return nil, err
		}
		mux.Handle(discord.InteractionsPath, h)
		log.Info("interactions endpoint ready", "path", discord.InteractionsPath)
	}
	if c.DiscordBotToken == "" {
		if c.DiscordAppID != "" {
			log.Warn("DISCORD_APP_ID sans DISCORD_BOT_TOKEN : commandes non enregistrées / slash commands not registered without a bot token")
		}
		return nil, nil
	}
	gateway := func(ctx context.Context) error {
		if c.DiscordAppID != "" {
			// A failed registration leaves the previous commands in place:
			// worth a log line, not a stop.
			if err := a.RegisterCommands(); err != nil {
				log.Error("slash command registration failed", "err", err)
			}
		} else {
			log.Warn("DISCORD_APP_ID manquant : commandes non enregistrées / slash commands not registered without DISCORD_APP_ID")
		}
		return a.Run(ctx)
	}
	if app.Store == nil {
		return gateway, nil
	}
	// Discord allows one gateway connection per bot token: among the
	// replicas, the lease holder opens it (and registers the commands).
	return func(ctx context.Context) error {
		return runLeased(ctx, app.Store, "discord-gateway", app.Replica, log, func(held bool) {
			if app.Metrics != nil {
				app.Metrics.gateway.Set(map[bool]float64{true: 1}[held])
			}
		}, gateway)
	}, nil
}
