package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/qc-ia/conformbot/adapters/slack"
)

func init() {
	register(command{
		name:    "slack-manifest",
		summary: "écrit le manifeste de l'application Slack selon la configuration / writes the Slack app manifest for this configuration",
		run:     runSlackManifest,
	})
}

func runSlackManifest(_ context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("slack-manifest", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	base := fs.String("url", "", "adresse publique https du robot (mode HTTP) / the bot's public https address (HTTP mode)")
	socket := fs.Bool("socket-mode", false, "mode Socket, sans adresse publique / Socket Mode, no public address")
	out := fs.String("o", "", "fichier à écrire (défaut : la sortie standard) / file to write (default: standard output)")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot slack-manifest (--url https://hôte | --socket-mode) [-o manifest.yml]")
		fmt.Fprintln(env.Stderr, "Écrit le manifeste à coller dans api.slack.com/apps, avec la commande (SLACK_COMMAND) et ce que le")
		fmt.Fprintln(env.Stderr, "robot conserve (DATA_RETENTION, SESSION_TTL, STORE_UNANSWERED, LOG_MESSAGE_TEXT) de cette configuration.")
		fmt.Fprintln(env.Stderr, "Writes the manifest to paste at api.slack.com/apps, with this configuration's command and what the bot keeps.")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 || (*base == "") == !*socket {
		fmt.Fprintln(env.Stderr, "bot slack-manifest : indiquez --url https://hôte (mode HTTP) ou --socket-mode, pas les deux.")
		fmt.Fprintln(env.Stderr, "bot slack-manifest: give --url https://host (HTTP mode) or --socket-mode, not both.")
		fs.Usage()
		return exitUsage
	}
	b, err := slack.Manifest(slack.ManifestInfo{Command: env.Config.SlackCommand, BaseURL: *base, Kept: env.Config.Kept()})
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot slack-manifest : %v\n", err)
		return exitUsage
	}
	if *out == "" {
		_, _ = env.Stdout.Write(b)
		return exitOK
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintf(env.Stderr, "bot slack-manifest : %v\n", err)
		return exitFail
	}
	fmt.Fprintf(env.Stdout, "Manifeste Slack écrit / Slack manifest written: %s\n", *out)
	return exitOK
}
