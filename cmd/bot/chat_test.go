package main

import (
	"context"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/rules"
)

// runBot runs one bot command as a process would, with stdin.
func runBot(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut strings.Builder
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

// `bot chat` and `bot report` share BOT_DATA_DIR: the dialog survives a
// restart, and the operator sees feedback and redacted unanswered questions.
// Not parallel: it sets the environment.
func TestChatAndReport(t *testing.T) {
	t.Setenv("BOT_DATA_DIR", t.TempDir())
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, cmd, stdin string
		want, notWant    []string
	}{
		{name: "question, then thumbs up", cmd: "chat", stdin: "Puis-je encore utiliser la version web de ChatGPT?\n1\n",
			want: []string{"Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025", "1. 👍 Utile", "Merci pour votre avis", "Au revoir!"}},
		{name: "dialog started", cmd: "chat", stdin: "admissibilité\n1\n",
			want: []string{"Question 1.", "Question 2.", "1. Oui"}},
		{name: "dialog resumed after a restart", cmd: "chat", stdin: "non\n",
			want: []string{rs.VerdictTitle("hors-portee", "fr")}},
		{name: "unanswered question", cmd: "chat", stdin: "Quelle sanction disciplinaire pour un assistant IAG? écrivez à jean.tremblay@exemple.ca\n",
			want: []string{"Écrire au MCN (lien)"}},
		{name: "thumbs down with a reason", cmd: "chat", stdin: "Combien de temps durera la suspension?\n2\n3\n",
			want: []string{"Pas la bonne réponse", "Réponse incomplète", "Pas clair", "Merci, c'est noté"}},
		{name: "english", cmd: "chat", stdin: "How long will the suspension last?\n",
			want: []string{"Source: FAQ IA-RI-2025-001-OP, MCN, March 18, 2025", "Goodbye!"}},
		{name: "report", cmd: "report", want: []string{"version-web-copilot-chatgpt", "👍 1", "sanction disciplinaire", "[courriel]", "pas clair 1", "×1"},
			notWant: []string{"jean.tremblay"}},
	}
	for _, tt := range tests {
		out, errOut, code := runBot(t, tt.stdin, tt.cmd)
		if code != exitOK {
			t.Fatalf("%s: bot %s exit %d; stderr:\n%s", tt.name, tt.cmd, code, errOut)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tt.name, w, out)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(out, w) {
				t.Errorf("%s: output holds %q", tt.name, w)
			}
		}
	}
}

func TestChatUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"chat", "--lang", "de"}, {"chat", "extra"}, {"report", "--limit", "0"}} {
		if _, _, code := runBot(t, "", args...); code != exitUsage {
			t.Errorf("bot %v: exit %d; want %d", args, code, exitUsage)
		}
	}
}
