package main

import (
	"fmt"
	"github.com/qc-ia/conformbot/faq"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/rules"
)

// copyDir copies the regular files of src into a new temporary directory,
// applying edit (when set) to each file's content by name.
func copyDir(t *testing.T, src string, edit func(name, content string) (string, bool)) string {
	t.Helper()
	dst := t.TempDir()
	files, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		content, keep := string(b), true
		if edit != nil {
			content, keep = edit(f.Name(), content)
		}
		if keep {
			if err := os.WriteFile(filepath.Join(dst, f.Name()), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

// TestValidateCitations: bot validate reports, at the citing fact, an FAQ
// entry the rules cite but the FAQ being validated lacks, whether the FAQ or
// the rules come from the command line.
func TestValidateCitations(t *testing.T) {
	t.Parallel()
	embedded, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	fact, ok := embedded.Fact("organisme_public")
	if !ok || !strings.Contains(strings.Join(fact.Cites(), " "), "organisations-concernees") {
		t.Fatalf("embedded rules: fact organisme_public citing organisations-concernees expected, got %+v", fact)
	}
	// The official FAQ without the entry the fact cites.
	faqDir := copyDir(t, filepath.Join("..", "..", "faq", "data"), func(name, c string) (string, bool) {
		// Its examples go too: they name the entry.
		return c, !strings.Contains(c, "id: organisations-concernees") && name != faq.ExamplesFile
	})
	// The embedded rules citing an entry no FAQ has.
	rulesDir := copyDir(t, filepath.Join("..", "..", "rules", "data"), func(name, c string) (string, bool) {
		return strings.Replace(c, "cites: [organisations-concernees]", "cites: [organisations-inconnues]", 1), true
	})
	// Reported at the id itself, not at the fact that cites it.
	rulesFile := filepath.Join(rulesDir, filepath.Base(fact.File))
	src, _ := os.ReadFile(rulesFile)
	idLine, idCol := 0, 0
	for i, l := range strings.Split(string(src), "\n") {
		if k := strings.Index(l, "organisations-inconnues"); k >= 0 {
			idLine, idCol = i+1, k+1
			break
		}
	}
	if idLine <= fact.Line {
		t.Fatalf("test setup: the cites line %d should follow the fact's line %d", idLine, fact.Line)
	}
	rulesAt := fmt.Sprintf("%s:%d:%d: ", rulesFile, idLine, idCol)
	tests := []struct {
		name string
		args []string
		want []string // in stderr
	}{
		{"--faq without a cited entry", []string{"validate", "--faq", faqDir},
			[]string{fmt.Sprintf("%s:%d: ", fact.File, fact.Line), `cited FAQ entry "organisations-concernees" is not in ` + faqDir}},
		{"--rules citing an unknown entry", []string{"validate", "--rules", rulesDir},
			[]string{rulesAt, `cited FAQ entry "organisations-inconnues" is not in the embedded FAQ`, `did you mean "organisations-concernees"?`, "rules : 1 erreur(s)"}},
		{"bare rules directory", []string{"validate", rulesDir},
			[]string{rulesAt, "« organisations-inconnues » citée mais absente de la FAQ intégrée"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, code := runBot(t, "", tc.args...)
			if code != exitFail {
				t.Errorf("exit %d, want %d", code, exitFail)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestBuildAppRefusesMismatchedContent: the bot does not start on an FAQ
// that lacks an entry the rules cite, and says which one.
func TestBuildAppRefusesMismatchedContent(t *testing.T) {
	t.Parallel()
	faqDir := copyDir(t, filepath.Join("..", "..", "faq", "data"), func(name, c string) (string, bool) {
		// Its examples go too: they name the entry.
		return c, !strings.Contains(c, "id: organisations-concernees") && name != faq.ExamplesFile
	})
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
		Config: Config{FAQDir: faqDir, DataDir: t.TempDir()}, Logger: slog.New(slog.DiscardHandler)}
	app, closeApp, err := buildApp(t.Context(), env)
	if err == nil {
		closeApp()
		t.Fatalf("buildApp started with %+v, want an error", app.KB.Doc)
	}
	if want := `cited FAQ entry "organisations-concernees" is not in the loaded FAQ`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
}
