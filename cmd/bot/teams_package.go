package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/qc-ia/conformbot/adapters/teams"
)

func init() {
	register(command{
		name:    "teams-package",
		summary: "écrit le paquet d'application Teams (zip) / writes the Teams app package (zip)",
		run:     runTeamsPackage,
	})
}

const projectURL = "https://github.com/qc-ia/conformbot"

func runTeamsPackage(_ context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("teams-package", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	out := fs.String("o", "teams-app.zip", "fichier zip à écrire / zip file to write")
	version := fs.String("version", "1.0.0", "version de l'application / app version")
	developer := fs.String("developer", "Équipe ConformBot", "nom de l'éditeur / publisher name")
	website := fs.String("website", projectURL, "site de l'éditeur / publisher website (https)")
	privacy := fs.String("privacy-url", projectURL+"#confidentialit%C3%A9--privacy", "politique de confidentialité / privacy policy URL")
	terms := fs.String("terms-url", projectURL, "conditions d'utilisation / terms of use URL")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot teams-package [-o FICHIER.zip]")
		fmt.Fprintln(env.Stderr, "Écrit le paquet à téléverser dans le centre d'administration Teams (TEAMS_APP_ID requis).")
		fmt.Fprintln(env.Stderr, "Writes the package to upload in the Teams admin center (TEAMS_APP_ID required).")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	if env.Config.TeamsAppID == "" {
		fmt.Fprintln(env.Stderr, "bot teams-package : TEAMS_APP_ID est vide ; indiquez l'identifiant d'application (Microsoft App ID) de l'inscription Azure Bot.")
		fmt.Fprintln(env.Stderr, "bot teams-package: TEAMS_APP_ID is empty; set the Microsoft App ID of the Azure Bot registration.")
		return exitUsage
	}
	info := teams.PackageInfo{AppID: env.Config.TeamsAppID, Version: *version, Developer: *developer,
		WebsiteURL: *website, PrivacyURL: *privacy, TermsURL: *terms, Kept: env.Config.Kept()}
	// Validate before creating the file so that a bad id leaves nothing behind.
	if _, _, err := teams.Manifest(info); err != nil {
		fmt.Fprintf(env.Stderr, "bot teams-package : %v\n", err)
		return exitUsage
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot teams-package : %v\n", err)
		return exitFail
	}
	if err := teams.WritePackage(f, info); err != nil {
		f.Close()
		os.Remove(*out)
		fmt.Fprintf(env.Stderr, "bot teams-package : %v\n", err)
		return exitFail
	}
	if err := f.Close(); err != nil {
		fmt.Fprintf(env.Stderr, "bot teams-package : %v\n", err)
		return exitFail
	}
	fmt.Fprintf(env.Stdout, "Paquet Teams écrit / Teams package written: %s\n", *out)
	return exitOK
}
