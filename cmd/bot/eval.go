package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/qc-ia/conformbot/index"
)

func init() {
	register(command{
		name:    "eval",
		summary: "mesure les réponses sur vos propres questions (JSON Lines) / scores the answers on your own questions",
		run:     runEval,
	})
}

func evalUsage(w io.Writer) {
	fmt.Fprintln(w, "Utilisation / usage: bot eval [--show] FICHIER.jsonl [...]")
	fmt.Fprintln(w, `  une question par ligne / one question a line: {"q": "...", "expect": "id-de-l-entree" ou null, "kind": "..."}`)
	fmt.Fprintln(w, "  (le format de ../shared/eval ; expect null : la FAQ n'y répond pas / the FAQ has no answer)")
	fmt.Fprintln(w, "  --show  liste les questions manquées / lists the questions missed")
}

// runEval scores question files against the configured FAQ (FAQ_DIR or
// the embedded one), so that whoever edits the FAQ sees what it changes.
func runEval(ctx context.Context, env *Env, args []string) int {
	show := false
	var files []string
	for _, a := range args {
		switch {
		case a == "-h" || a == "--help" || a == "-help":
			evalUsage(env.Stdout)
			return exitOK
		case a == "--show" || a == "-show":
			show = true
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintf(env.Stderr, "bot eval : option inconnue / unknown option %q\n", a)
			evalUsage(env.Stderr)
			return exitUsage
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		fmt.Fprintln(env.Stderr, "bot eval : aucun fichier de questions / no question file")
		evalUsage(env.Stderr)
		return exitUsage
	}
	var sets [][]index.Question
	for _, f := range files {
		qs, err := readQuestionFile(f)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot eval : %s : %v\n", f, err)
			return exitUsage
		}
		sets = append(sets, qs)
	}
	kb, err := loadKB(env.Config)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot eval : FAQ illisible / cannot load the FAQ: %v\n", err)
		return exitFail
	}
	ids := map[string]bool{}
	for _, e := range kb.Entries {
		ids[e.ID] = true
	}
	for i, qs := range sets {
		for n, q := range qs {
			if q.Expect != nil && !ids[*q.Expect] {
				fmt.Fprintf(env.Stderr, "bot eval : %s : question %d : entrée inconnue / unknown entry %q\n", files[i], n+1, *q.Expect)
				return exitUsage
			}
		}
	}
	ix, err := newIndex(env.Config, kb)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot eval : index impossible / cannot build the index: %v\n", err)
		return exitFail
	}
	defer ix.Close()
	var all index.Report
	for i, qs := range sets {
		r, err := index.Evaluate(ctx, ix, qs)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot eval : %v\n", err)
			return exitFail
		}
		if len(sets) > 1 {
			fmt.Fprintf(env.Stdout, "%s : %s\n", files[i], r.Summary())
		}
		all.Add(r)
	}
	all.WriteTable(env.Stdout)
	if show {
		fmt.Fprintln(env.Stdout, "manquées / missed:")
		for _, m := range all.Missed {
			fmt.Fprintln(env.Stdout, "  "+m)
		}
	}
	return exitOK
}

func readQuestionFile(path string) ([]index.Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	qs, err := index.ReadQuestions(f)
	if err == nil && len(qs) == 0 {
		err = fmt.Errorf("aucune question / no question")
	}
	return qs, err
}
