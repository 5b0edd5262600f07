package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.jsonl", `{"q": "qui contacter au MCN pour une question ?", "expect": "contact", "kind": "chat"}
{"q": "Comment réinitialiser mon mot de passe ?", "expect": null, "kind": "oos_far"}
`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"table", []string{good}, exitOK, []string{"chat", "oos_far", "total                 2/2", "0.8–1.0"}, ""},
		{"misses listed", []string{"--show", good}, exitOK, []string{"manquées / missed:"}, ""},
		{"no file", nil, exitUsage, nil, "aucun fichier de questions"},
		{"missing file", []string{filepath.Join(dir, "nope.jsonl")}, exitUsage, nil, "nope.jsonl"},
		{"bad line", []string{write("bad.jsonl", "{\"q\": \"ok\", \"expect\": null}\n{oops\n")}, exitUsage, nil, "line 2"},
		{"unknown entry", []string{write("unknown.jsonl", `{"q": "x", "expect": "contcat"}`+"\n")}, exitUsage, nil, `entrée inconnue / unknown entry "contcat"`},
		{"empty file", []string{write("empty.jsonl", "\n")}, exitUsage, nil, "aucune question"},
		{"unknown option", []string{"--nope", good}, exitUsage, nil, "option inconnue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
				Config: Config{DataDir: t.TempDir()}, Logger: slog.New(slog.DiscardHandler)}
			if code := runEval(context.Background(), env, tt.args); code != tt.code {
				t.Fatalf("bot eval %q: exit %d, want %d; stderr %s", tt.args, code, tt.code, errb.String())
			}
			for _, w := range tt.stdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tt.stderr)
			}
		})
	}
}
