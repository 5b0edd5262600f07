package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/faq"
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
