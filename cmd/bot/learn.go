package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/internal/nearest"
)

func init() {
	register(command{
		name:    "learn",
		summary: "ajoute à exemples.yaml les questions étiquetées d'un fichier de bot report --jsonl / adds labelled questions to exemples.yaml",
		run:     runLearn,
	})
}

func learnUsage(w io.Writer) {
	fmt.Fprintln(w, "Utilisation / usage: bot learn [--dry-run] [--eval QUESTIONS.jsonl]... FICHIER.jsonl")
	fmt.Fprintln(w, "                     bot learn [--dry-run] [--eval QUESTIONS.jsonl]... N ENTRÉE [N ENTRÉE]...")
	fmt.Fprintln(w, "  N ENTRÉE : la question sans réponse numéro N (#N) du dernier bot report va sous l'entrée ENTRÉE, ou hors_sujet.")
	fmt.Fprintln(w, "  N ENTRY: unanswered question number N (#N) of the last bot report goes under entry ENTRY, or hors_sujet.")
	fmt.Fprintln(w, "  FICHIER : écrit par bot report --jsonl, où « expect » est rempli par l'id d'une entrée, ou \"hors_sujet\" ;")
	fmt.Fprintln(w, "  les lignes restées à null sont ignorées. Ajoute chaque question sous son entrée dans FAQ_DIR/exemples.yaml")
	fmt.Fprintln(w, "  (commentaires et ordre gardés), vérifie la FAQ obtenue et compare bot eval avant et après ; rien n'est écrit en cas d'erreur.")
	fmt.Fprintln(w, "  FILE: written by bot report --jsonl, with \"expect\" set to an entry id or \"hors_sujet\"; null lines are skipped.")
	fmt.Fprintln(w, "  Adds each question under its entry in FAQ_DIR/exemples.yaml, checks the result and compares bot eval before and after.")
	fmt.Fprintln(w, "  --dry-run  montre l'effet sans écrire / shows the effect without writing")
	fmt.Fprintln(w, "  --eval F   un jeu de questions de plus pour la comparaison / one more question set for the comparison")
}

type evalFiles []string

func (e *evalFiles) String() string     { return strings.Join(*e, ",") }
func (e *evalFiles) Set(s string) error { *e = append(*e, s); return nil }

func runLearn(ctx context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("learn", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dry := fs.Bool("dry-run", false, "")
	var sets evalFiles
	fs.Var(&sets, "eval", "")
	fs.Usage = func() { learnUsage(env.Stderr) }
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	numbered := fs.NArg() > 0 && isReportNumber(fs.Arg(0))
	if (numbered && fs.NArg()%2 != 0) || (!numbered && fs.NArg() != 1) {
		learnUsage(env.Stderr)
		return exitUsage
	}
	dir := env.Config.FAQDir
	if dir == "" {
		fmt.Fprintln(env.Stderr, "bot learn : FAQ_DIR n'est pas défini : la FAQ intégrée ne se modifie pas. Copiez faq/data (cp -r faq/data ma-faq), puis FAQ_DIR=ma-faq bot learn …")
		fmt.Fprintln(env.Stderr, "bot learn: FAQ_DIR is not set: the embedded FAQ cannot be edited. Copy faq/data, then set FAQ_DIR to the copy.")
		return exitUsage
	}
	before, err := loadKB(env.Config)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot learn : FAQ illisible / cannot load the FAQ: %v\n", err)
		return exitFail
	}
	var adds []faq.Example
	var file string // what the taught questions came from, in the evaluation
	if numbered {
		var last lastReport
		last, err = loadLastReport(env.Config.DataDir, env.Config.Retention, time.Now())
		if err == nil {
			adds, err = reportedAdds(last, before, fs.Args())
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot learn : %v ; rien n'est écrit / nothing written\n", err)
			return exitUsage
		}
		file = "bot report " + last.At.Local().Format("2006-01-02 15:04")
	} else {
		file = fs.Arg(0)
		qs, err := readQuestionFile(file)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot learn : %s : %v\n", file, err)
			return exitUsage
		}
		adds, err = labelled(qs, before)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot learn : %s : %v ; rien n'est écrit / nothing written\n", file, err)
			return exitUsage
		}
	}
	if len(adds) == 0 {
		fmt.Fprintf(env.Stderr, "bot learn : %s : aucune question étiquetée (expect est null partout) / no labelled question\n", file)
		return exitUsage
	}
	path := filepath.Join(dir, faq.ExamplesFile)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(env.Stderr, "bot learn : %v\n", err)
		return exitFail
	}
	text, added := addExamples(old, adds)
	if added == 0 {
		fmt.Fprintln(env.Stdout, "Ces questions sont déjà dans exemples.yaml : rien à ajouter. / Already in exemples.yaml: nothing to add.")
		return exitOK
	}
	// The new content is checked in a copy of the directory, so a refused
	// change leaves FAQ_DIR as it was.
	tmp, err := os.MkdirTemp("", "bot-learn-")
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot learn : %v\n", err)
		return exitFail
	}
	defer os.RemoveAll(tmp)
	if err := copyYAML(dir, tmp); err != nil {
		fmt.Fprintf(env.Stderr, "bot learn : %v\n", err)
		return exitFail
	}
	if err := os.WriteFile(filepath.Join(tmp, faq.ExamplesFile), text, 0o644); err != nil {
		fmt.Fprintf(env.Stderr, "bot learn : %v\n", err)
		return exitFail
	}
	after, err := faq.LoadDir(tmp)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot learn : la FAQ modifiée est refusée, rien n'est écrit / the changed FAQ is refused, nothing written:\n%v\n", err)
		return exitFail
	}
	// The file's null lines are undecided, not "no answer": only what the
	// officer labelled is scored.
	var taught []index.Question
	for _, x := range adds {
		q := index.Question{Q: x.Text, Kind: "appris"}
		if x.Entry != faq.OutOfScope {
			id := x.Entry
			q.Expect = &id
		}
		taught = append(taught, q)
	}
	questionSets := [][]index.Question{taught}
	names := []string{file + " (étiquetées / labelled)"}
	for _, f := range sets {
		q, err := readQuestionFile(f)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot learn : %s : %v\n", f, err)
			return exitUsage
		}
		questionSets, names = append(questionSets, q), append(names, f)
	}
	fmt.Fprintf(env.Stdout, "%d exemples ajoutés à %s / examples added\n", added, path)
	for i, kb := range []*faq.KB{before, after} {
		label := "avant / before"
		if i == 1 {
			label = "après / after "
		}
		ix, err := newIndex(env.Config, kb)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot learn : index impossible / cannot build the index: %v\n", err)
			return exitFail
		}
		for j, set := range questionSets {
			r, err := index.Evaluate(ctx, ix, set)
			if err != nil {
				ix.Close()
				fmt.Fprintf(env.Stderr, "bot learn : %v\n", err)
				return exitFail
			}
			fmt.Fprintf(env.Stdout, "  %s  %s : %s\n", label, names[j], r.Summary())
		}
		ix.Close()
	}
	if *dry {
		fmt.Fprintln(env.Stdout, "--dry-run : rien n'est écrit / nothing written")
		return exitOK
	}
	if err := writeAtomic(path, text); err != nil {
		fmt.Fprintf(env.Stderr, "bot learn : %v\n", err)
		return exitFail
	}
	if numbered {
		// This change is the officer's own: the report's other numbers
		// still name the questions it listed.
		if last, err := loadLastReport(env.Config.DataDir, env.Config.Retention, time.Now()); err == nil {
			last.FAQ = kbDigest(after)
			_ = saveLastReport(env.Config.DataDir, last)
		}
	}
	fmt.Fprintf(env.Stdout, "Écrit / written: %s. Un bot serve en marche le recharge de lui-même / a running bot serve reloads it; vérifiez avec / check with bot validate.\n", path)
	return exitOK
}

// labelled keeps the questions whose expect names an entry or hors_sujet,
// refusing the whole file on an unknown id.
func labelled(qs []index.Question, kb *faq.KB) ([]faq.Example, error) {
	ids := map[string]bool{faq.OutOfScope: true}
	var all []string
	for _, e := range kb.Entries {
		ids[e.ID] = true
		all = append(all, e.ID)
	}
	var out []faq.Example
	for n, q := range qs {
		if q.Expect == nil {
			continue
		}
		id := strings.TrimSpace(*q.Expect)
		if !ids[id] {
			hint := ""
			if near := nearest.ID(id, append(all, faq.OutOfScope)); near != "" {
				hint = fmt.Sprintf(" ; vouliez-vous dire / did you mean %q ?", near)
			}
			return nil, fmt.Errorf("ligne %d : entrée inconnue / line %d: unknown entry %q%s", n+1, n+1, id, hint)
		}
		if strings.TrimSpace(q.Q) == "" {
			return nil, fmt.Errorf("ligne %d : question vide / line %d: empty question", n+1, n+1)
		}
		out = append(out, faq.Example{Text: q.Q, Entry: id})
	}
	return out, nil
}

// addExamples inserts each example as a list item at the end of its key's
// list in exemples.yaml, leaving every other line (comments included) as
// it was; a key not in the file is appended. Items already present are
// skipped. It returns the new text and how many items it added.
func addExamples(src []byte, adds []faq.Example) ([]byte, int) {
	lines := strings.Split(string(src), "\n")
	if len(src) == 0 {
		lines = nil
	}
	byKey := map[string][]string{}
	var keys []string
	for _, x := range adds {
		b, _ := json.Marshal(x.Text) // a JSON string is a YAML double-quoted scalar
		item := "  - " + strings.ReplaceAll(string(b), `\u0026`, "&")
		if strings.Contains(string(src), item+"\n") || contains(byKey[x.Entry], item) {
			continue
		}
		if byKey[x.Entry] == nil {
			keys = append(keys, x.Entry)
		}
		byKey[x.Entry] = append(byKey[x.Entry], item)
	}
	added := 0
	for _, k := range keys {
		items := byKey[k]
		added += len(items)
		start := -1
		for i, l := range lines {
			if strings.TrimRight(l, " ") == k+":" {
				start = i
				break
			}
		}
		if start < 0 {
			if n := len(lines); n > 0 && lines[n-1] == "" {
				lines = lines[:n-1]
			}
			lines = append(lines, "", k+":")
			lines = append(lines, items...)
			lines = append(lines, "")
			continue
		}
		// The list ends at its last indented line before the next key.
		end := start
		for i := start + 1; i < len(lines); i++ {
			l := lines[i]
			if l != "" && l[0] != ' ' && l[0] != '\t' && l[0] != '#' {
				break
			}
			if strings.HasPrefix(strings.TrimLeft(l, " \t"), "-") {
				end = i
			}
		}
		rest := append([]string{}, lines[end+1:]...)
		lines = append(append(lines[:end+1], items...), rest...)
	}
	return []byte(strings.Join(lines, "\n")), added
}

func copyYAML(from, to string) error {
	ents, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomic replaces path so that a reader (bot serve reloading) never
// sees half a file.
func writeAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// isReportNumber says whether arg is a question number of bot report: 3 or #3.
func isReportNumber(arg string) bool {
	_, err := strconv.Atoi(strings.TrimPrefix(arg, "#"))
	return err == nil
}

// reportedAdds turns N ENTRY pairs into examples, from the questions of
// the last report; it refuses them all on a number the report did not
// list, an unknown entry, or FAQ files changed since the report.
func reportedAdds(last lastReport, kb *faq.KB, args []string) ([]faq.Example, error) {
	if last.FAQ != kbDigest(kb) {
		return nil, fmt.Errorf("les fichiers de la FAQ ont changé depuis le rapport du %s : relancez bot report pour des numéros à jour / the FAQ files changed since that report: run bot report again",
			last.At.Local().Format("2006-01-02 15:04"))
	}
	texts := map[int]string{}
	for _, q := range last.Questions {
		texts[q.N] = q.Text
	}
	ids := []string{faq.OutOfScope}
	for _, e := range kb.Entries {
		ids = append(ids, e.ID)
	}
	var out []faq.Example
	for i := 0; i < len(args); i += 2 {
		n, _ := strconv.Atoi(strings.TrimPrefix(args[i], "#"))
		text, ok := texts[n]
		if !ok {
			return nil, fmt.Errorf("la question #%d n'est pas dans le dernier rapport (%s) / question #%d is not in the last report", n, reportRange(last), n)
		}
		id := strings.TrimSpace(args[i+1])
		if !slices.Contains(ids, id) {
			hint := ""
			if near := nearest.ID(id, ids); near != "" {
				hint = fmt.Sprintf(" ; vouliez-vous dire / did you mean %q ?", near)
			}
			return nil, fmt.Errorf("#%d : entrée inconnue / unknown entry %q%s", n, id, hint)
		}
		out = append(out, faq.Example{Text: text, Entry: id})
	}
	return out, nil
}

func reportRange(last lastReport) string {
	if len(last.Questions) == 0 {
		return "aucune question / no questions"
	}
	return fmt.Sprintf("#%d à / to #%d", last.Questions[0].N, last.Questions[len(last.Questions)-1].N)
}
