package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
)

// validator checks one kind of content (FAQ, rules). Each kind registers
// itself from its own file so that `bot validate` covers every kind.
type validator struct {
	kind string
	// configured returns the directory the configuration points at ("" = embedded).
	configured func(Config) string
	// claims reports whether dir holds files of this kind (for a bare DIR argument).
	claims func(dir string) bool
	// check validates dir ("" = the embedded default) and returns problems
	// as "file:line: message", plus a one-line summary of what was checked.
	// from holds the directory each kind is read from in this run, for
	// references between kinds (the rules cite FAQ entries).
	check func(dir string, from map[string]string) (summary string, problems []string)
}

var validators []validator

func init() {
	register(command{
		name:    "validate",
		summary: "vérifie les fichiers de FAQ et de règles / checks FAQ and rules files",
		run:     runValidate,
	})
}

func runValidate(_ context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dirs := map[string]*string{}
	for _, v := range validators {
		dirs[v.kind] = fs.String(v.kind, "", fmt.Sprintf("dossier de fichiers %s / %s directory", v.kind, v.kind))
	}
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot validate [--faq DIR] [--rules DIR] [DIR]")
		fmt.Fprintln(env.Stderr, "Sans argument : vérifie le contenu configuré (FAQ_DIR, RULES_DIR) ou intégré.")
		fmt.Fprintln(env.Stderr, "Without arguments: checks the configured (FAQ_DIR, RULES_DIR) or embedded content.")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return exitUsage
	}
	bare := fs.Arg(0)
	if bare != "" {
		if st, err := os.Stat(bare); err != nil || !st.IsDir() {
			fmt.Fprintf(env.Stderr, "bot validate : « %s » n'est pas un dossier / is not a directory\n", bare)
			return exitUsage
		}
	}
	return validateAll(env.Stdout, env.Stderr, env.Config, bare, dirs)
}

func validateAll(stdout, stderr io.Writer, cfg Config, bare string, dirs map[string]*string) int {
	// Each kind is read from its flag, else from the bare DIR when that holds
	// its files, else from the configuration. A kind the bare DIR does not
	// hold is not checked, but is still read from the configuration by the
	// kinds that refer to it.
	from, skip := map[string]string{}, map[string]bool{}
	for _, v := range validators {
		dir := *dirs[v.kind]
		switch {
		case dir != "":
		case bare != "" && v.claims(bare):
			dir = bare
		default:
			dir = v.configured(cfg)
			skip[v.kind] = bare != ""
		}
		from[v.kind] = dir
	}
	failed, checked := false, 0
	for _, v := range validators {
		if skip[v.kind] {
			continue
		}
		checked++
		summary, problems := v.check(from[v.kind], from)
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		if len(problems) > 0 {
			failed = true
			fmt.Fprintf(stderr, "%s : %d erreur(s) / error(s)\n", v.kind, len(problems))
			continue
		}
		fmt.Fprintf(stdout, "%s : OK — %s\n", v.kind, summary)
	}
	if checked == 0 {
		fmt.Fprintf(stderr, "bot validate : aucun fichier de FAQ ni de règles dans « %s » / no FAQ or rules files there\n", bare)
		return exitFail
	}
	if failed {
		return exitFail
	}
	return exitOK
}
