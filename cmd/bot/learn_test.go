package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/store/sqlite"
)

func TestAddExamples(t *testing.T) {
	t.Parallel()
	src := "# top comment\nhors_sujet:\n  - \"météo\"\n  # kept comment\n\ncontact:\n  - \"qui joindre\"\n"
	tests := []struct {
		name  string
		adds  []faq.Example
		want  string
		added int
	}{
		{name: "end of an existing list, comments kept",
			adds:  []faq.Example{{Text: "où se garer", Entry: "hors_sujet"}, {Text: `dit "bonjour" & co`, Entry: "contact"}},
			want:  "# top comment\nhors_sujet:\n  - \"météo\"\n  - \"où se garer\"\n  # kept comment\n\ncontact:\n  - \"qui joindre\"\n  - \"dit \\\"bonjour\\\" & co\"\n",
			added: 2},
		{name: "new key appended",
			adds:  []faq.Example{{Text: "combien de temps", Entry: "duree-suspension"}},
			want:  src + "\nduree-suspension:\n  - \"combien de temps\"\n",
			added: 1},
		{name: "already there", adds: []faq.Example{{Text: "météo", Entry: "hors_sujet"}, {Text: "x", Entry: "contact"}, {Text: "x", Entry: "contact"}},
			want: strings.Replace(src, "  - \"qui joindre\"\n", "  - \"qui joindre\"\n  - \"x\"\n", 1), added: 1},
	}
	for _, tt := range tests {
		got, n := addExamples([]byte(src), tt.adds)
		if string(got) != tt.want || n != tt.added {
			t.Errorf("%s: added %d, got\n%s\nwant %d,\n%s", tt.name, n, got, tt.added, tt.want)
		}
	}
}

// The loop as an officer runs it: a labelled file goes under its entries in
// FAQ_DIR, the result still loads, and bad labels write nothing.
func TestLearn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := copyYAML("../../faq/data", dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, faq.ExamplesFile)
	orig, _ := os.ReadFile(path)
	write := func(body string) string {
		f := filepath.Join(t.TempDir(), "q.jsonl")
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	run := func(args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errOut, Config: Config{FAQDir: dir}}
		code := runLearn(context.Background(), env, args)
		return out.String(), errOut.String(), code
	}
	good := write(`{"q": "Puis-je demander une dérogation pour notre agent conversationnel ?", "expect": "exceptions", "kind": "sans-reponse"}
{"q": "Où se garer au bureau ?", "expect": "hors_sujet", "kind": "sans-reponse"}
{"q": "pas décidé", "expect": null, "kind": "sans-reponse"}
`)
	tests := []struct {
		name      string
		args      []string
		code      int
		want      string
		unchanged bool
	}{
		{name: "unknown id", args: []string{write(`{"q": "x", "expect": "exeptions"}` + "\n")}, code: exitUsage, want: `did you mean "exceptions"`, unchanged: true},
		{name: "nothing labelled", args: []string{write(`{"q": "x", "expect": null}` + "\n")}, code: exitUsage, want: "aucune question étiquetée", unchanged: true},
		{name: "dry run", args: []string{"--dry-run", good}, code: exitOK, want: "avant / before", unchanged: true},
		{name: "written", args: []string{good}, code: exitOK, want: "après / after"},
		{name: "again: nothing to add", args: []string{good}, code: exitOK, want: "rien à ajouter"},
	}
	for _, tt := range tests {
		before, _ := os.ReadFile(path)
		out, errOut, code := run(tt.args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.want) {
			t.Errorf("%s: exit %d, output\n%s%s\nwant exit %d and %q", tt.name, code, out, errOut, tt.code, tt.want)
		}
		after, _ := os.ReadFile(path)
		if tt.unchanged && !bytes.Equal(before, after) {
			t.Errorf("%s: exemples.yaml changed", tt.name)
		}
	}
	kb, err := faq.LoadDir(dir)
	if err != nil {
		t.Fatalf("FAQ after learn: %v", err)
	}
	var found []string
	for _, x := range kb.Examples {
		if x.Text == "Où se garer au bureau ?" || strings.HasPrefix(x.Text, "Puis-je demander une dérogation") {
			found = append(found, x.Entry)
		}
	}
	if strings.Join(found, ",") != ",exceptions" {
		t.Errorf("learned examples under %q; want hors_sujet (\"\") then exceptions", found)
	}
	now, _ := os.ReadFile(path)
	if !bytes.HasPrefix(now, orig[:200]) || len(now) <= len(orig) {
		t.Error("the file's head (comments) changed or nothing was added")
	}
}

// bot learn N ENTRY: the question the officer read as #N in the last
// report goes under ENTRY; a number the report did not list, an unknown
// entry, FAQ files changed since the report, or no report write nothing.
func TestLearnByReportNumber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	faqDir, dataDir := t.TempDir(), t.TempDir()
	if err := copyYAML("../../faq/data", faqDir); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"Puis-je demander une dérogation pour notre agent ?", "puis-je demander une dérogation pour notre agent", "Où se garer au bureau ?"} {
		if err := st.AddUnanswered(ctx, conversation.Unanswered{Text: q, Lang: "fr", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	cfg := Config{FAQDir: faqDir, DataDir: dataDir, Retention: time.Hour}
	run := func(cmd func(context.Context, *Env, []string) int, cfg Config, args ...string) (string, int) {
		var out, errOut bytes.Buffer
		code := cmd(ctx, &Env{Stdout: &out, Stderr: &errOut, Config: cfg}, args)
		return out.String() + errOut.String(), code
	}
	examples := filepath.Join(faqDir, faq.ExamplesFile)
	orig, _ := os.ReadFile(examples)
	unchanged := func(what string) {
		t.Helper()
		if now, _ := os.ReadFile(examples); !bytes.Equal(now, orig) {
			t.Errorf("%s: exemples.yaml changed", what)
		}
	}

	if out, code := run(runLearn, cfg, "1", "exceptions"); code != exitUsage || !strings.Contains(out, "lancez d'abord bot report") {
		t.Errorf("before any report: exit %d\n%s", code, out)
	}
	if out, code := run(runReport, cfg); code != exitOK || !strings.Contains(out, "#1") || !strings.Contains(out, "×2") {
		t.Fatalf("bot report: exit %d\n%s", code, out)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"number not in the report", []string{"9", "exceptions"}, exitUsage, "#9 n'est pas dans le dernier rapport (#1 à / to #2)"},
		{"unknown entry", []string{"#1", "exeptions"}, exitUsage, `did you mean "exceptions"`},
		{"number without an entry", []string{"1"}, exitUsage, "N ENTRÉE"},
	} {
		if out, code := run(runLearn, cfg, c.args...); code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d\n%s\nwant exit %d and %q", c.name, code, out, c.code, c.want)
		}
		unchanged(c.name)
	}

	// What #1 and #2 become; writing and evaluating them is the labelled
	// file's path (TestLearn), which trains the model.
	last, err := loadLastReport(dataDir, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	kb, err := faq.LoadDir(faqDir)
	if err != nil {
		t.Fatal(err)
	}
	adds, err := reportedAdds(last, kb, []string{"#1", "exceptions", "2", "hors_sujet"})
	// #1 is the group's latest wording.
	want := []faq.Example{{Text: "puis-je demander une dérogation pour notre agent", Entry: "exceptions"},
		{Text: "Où se garer au bureau ?", Entry: faq.OutOfScope}}
	if err != nil || len(adds) != 2 || adds[0] != want[0] || adds[1] != want[1] {
		t.Errorf("#1 exceptions #2 hors_sujet = %+v, %v; want %+v", adds, err, want)
	}

	// Someone else edits the FAQ after the report: its numbers are refused.
	orig, _ = os.ReadFile(examples)
	entry := filepath.Join(faqDir, "08-duree-suspension.yaml")
	b, _ := os.ReadFile(entry)
	if err := os.WriteFile(entry, []byte(strings.Replace(string(b), "alternates:", "alternates:\n  - \"combien de temps dure la pause\"", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := run(runLearn, cfg, "2", "contact"); code != exitUsage || !strings.Contains(out, "ont changé depuis le rapport") {
		t.Errorf("after an edit of the FAQ: exit %d\n%s", code, out)
	}
	unchanged("after an edit of the FAQ")

	// A report older than the retention is refused and deleted.
	old := cfg
	old.Retention = time.Nanosecond
	if out, code := run(runLearn, old, "2", "contact"); code != exitUsage || !strings.Contains(out, "DATA_RETENTION") {
		t.Errorf("with a report past retention: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dataDir, lastReportFile)); !os.IsNotExist(err) {
		t.Errorf("report past retention not deleted: %v", err)
	}
}

// The documented loop reports on the embedded FAQ and learns into a fresh
// copy of it: the copy is the same content, not "changed since the report".
func TestKBDigestOfACopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := copyYAML("../../faq/data", dir); err != nil {
		t.Fatal(err)
	}
	emb, err := loadKB(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := loadKB(Config{FAQDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if kbDigest(emb) != kbDigest(cp) {
		t.Error("a copy of the embedded FAQ has another digest")
	}
	cp.Entries[0].Alternates = append(cp.Entries[0].Alternates, "x")
	if kbDigest(emb) == kbDigest(cp) {
		t.Error("an added phrasing leaves the digest unchanged")
	}
}
