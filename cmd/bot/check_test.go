package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	t.Parallel()
	covered := []string{"--fact", "organisme_public=yes", "--fact", "assistant_iag=yes", "--fact", "usage_individuel_gratuit=no"}
	tests := []struct {
		name        string
		args        []string
		wantVerdict any // string or nil
		wantNext    any
		wantExc     []any
		wantCite    string
		wantText    string
	}{
		{"no facts asks the first question", nil, nil, "organisme_public", []any{}, "organisations-concernees", "article 2"},
		{"individual use asks access", []string{"--fact", "organisme_public=yes", "--fact", "assistant_iag=yes", "--fact", "usage_individuel_gratuit=yes"},
			nil, "acces_permis", []any{}, "version-web-copilot-chatgpt", ""},
		{"french values", []string{"--fact", "organisme_public=non"}, "hors-portee", nil, []any{}, "organisations-concernees", "ne s'applique pas à votre situation"},
		{"not a public body", []string{"--fact", "organisme_public=no"}, "hors-portee", nil, []any{}, "organisations-concernees", "ne s'applique pas à votre situation"},
		{"exception", append(covered, "--fact", "experimentation_mcn=yes"), "exception", nil, []any{"experimentation-mcn"}, "exceptions", "expérimentation du MCN"},
		{"unknown blocks", append(covered, "--fact", "experimentation_mcn=no", "--fact", "dossier_affaires_dpi=no",
			"--fact", "gestion_risques=no", "--fact", "deploye_avant_suspension=no", "--fact", "autorisation_dpi=unknown"),
			"indetermine", nil, []any{}, "contact", "encadrement.ia@mcn.gouv.qc.ca"},
		{"english", []string{"--lang", "en", "--fact", "organisme_public=yes", "--fact", "assistant_iag=no"}, "hors-portee", nil, []any{}, "assistant-virtuel-iag", "does not apply to your situation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, stderr, code := runBot(t, "", append([]string{"check", "--json"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			for _, k := range []string{"verdict", "exceptions", "next", "citations", "explanation"} {
				if _, ok := got[k]; !ok {
					t.Errorf("missing %q in %s", k, out)
				}
			}
			if got["verdict"] != tt.wantVerdict || got["next"] != tt.wantNext {
				t.Errorf("verdict %v next %v, want %v %v", got["verdict"], got["next"], tt.wantVerdict, tt.wantNext)
			}
			if exc, _ := json.Marshal(got["exceptions"]); string(exc) != mustJSON(tt.wantExc) {
				t.Errorf("exceptions %s, want %s", exc, mustJSON(tt.wantExc))
			}
			if cites, _ := json.Marshal(got["citations"]); !strings.Contains(string(cites), `"`+tt.wantCite+`"`) {
				t.Errorf("citations %s, want %s among them", cites, tt.wantCite)
			}
			if said := fmt.Sprint(got["conclusion"], " ", got["explanation"]); !strings.Contains(said, tt.wantText) {
				t.Errorf("conclusion and explanation %q, want them to contain %q", said, tt.wantText)
			}
			if (got["verdict"] == "indetermine") != (got["contact"] == "encadrement.ia@mcn.gouv.qc.ca") {
				t.Errorf("contact %v with verdict %v: want it exactly when indetermine", got["contact"], got["verdict"])
			}
			if tt.wantNext != nil && got["question"] == nil {
				t.Errorf("no question for next")
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestCheckBadInput: exit 2 with a message naming what is allowed.
func TestCheckBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown fact", []string{"--fact", "organisme=yes"}, []string{"unknown fact", "organisme_public", "autorisation_dpi"}},
		{"misspelt fact", []string{"--fact", "organisme_publique=yes"}, []string{`did you mean "organisme_public"?`}},
		{"bad value", []string{"--fact", "organisme_public=peut-être"}, []string{"allowed yes, no or unknown", "organisme_public"}},
		{"given twice", []string{"--fact", "organisme_public=yes", "--fact", "organisme_public=no"}, []string{"given twice", "organisme_public"}},
		{"no equals sign", []string{"--fact", "organisme_public"}, []string{"NAME=yes|no|unknown"}},
		{"stray argument", []string{"organisme_public=yes"}, []string{"--fact NAME=VALUE"}},
		{"bad language", []string{"--lang", "de"}, []string{"fr or en"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, stderr, code := runBot(t, "", append([]string{"check", "--json"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q, want %q", stderr, w)
				}
			}
		})
	}
}

// TestCheckInteractive plays the terminal questionnaire as a new user would.
func TestCheckInteractive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		input string
		want  []string // in this order in the output
	}{
		{"numbers to an exception", nil, "1\n1\n2\n1\n",
			[]string{"Question 1. ", "Question 4. ", "Visé par la suspension, mais une exception s'applique", "Références (FAQ) :", "Au revoir!"}},
		{"words, bad answer, back and restart", nil, "oui\nnon\nretour\npeut-être\nOui\noui\nje ne sais pas\nrecommencer\nnon\n",
			[]string{"Question 2. ", "Hors de la portée", "Question 2. ", "Je n'ai reconnu ni une réponse", "Question 3. ", "Question 4. ",
				"Impossible de conclure", "À vérifier :", "Votre organisation permet-elle", "Question 1. ", "Hors de la portée", "Au revoir!"}},
		{"back at the first question", nil, "retour\n", []string{"Vous êtes déjà à la première question.", "Au revoir!"}},
		// The dialog's own words: « quitter » and « annuler » both end it.
		{"quit", nil, "1\nquitter\n1\n", []string{"Question 2. ", "Vérification annulée", "Au revoir!"}},
		{"cancel", nil, "annuler\n", []string{"Vérification annulée", "Au revoir!"}},
		{"values read as everywhere", nil, "vrai\nexact\n", []string{"Question 2. ", "Question 3. "}},
		{"english", []string{"--lang", "en"}, "yes\nno\n", []string{"Question 1. ", "Outside the scope of the suspension", "Goodbye!"}},
		{"end of input right away", nil, "", []string{"Question 1. ", "Au revoir!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, stderr, code := runBot(t, tt.input, append([]string{"check"}, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order)\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
	// "quitter" stops reading: the answer after it is never used.
	out, _, _ := runBot(t, "1\nquitter\n1\n", "check")
	if strings.Contains(out, "Question 3. ") || strings.Count(out, "Question 1. ") > 1 {
		t.Errorf("kept going after quitter:\n%s", out)
	}
}

// TestValidateRules: bot validate reports a broken rules directory with
// file:line and accepts the embedded set.
func TestValidateRules(t *testing.T) {
	t.Parallel()
	out, stderr, code := runBot(t, "", "validate")
	if code != exitOK || !strings.Contains(out, "rules : OK") {
		t.Fatalf("embedded rules: exit %d\n%s%s", code, out, stderr)
	}
	dir := t.TempDir()
	broken := "rule_set:\n  version: x\n  source_date: \"2025-03-18\"\nfacts:\n  - name: a\n    label: {fr: a, en: a}\n    question: {fr: a, en: a}\n    why: {fr: a, en: a}\n    cites: [x]\nverdicts:\n  - code: oui\n    when: a and b\n    title: {fr: a, en: a}\n    explanation: {fr: a, en: a}\n"
	if err := os.WriteFile(filepath.Join(dir, "regles.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runBot(t, "", "validate", dir)
	if code != exitFail {
		t.Errorf("broken rules: exit %d, want %d", code, exitFail)
	}
	for _, w := range []string{filepath.Join(dir, "regles.yaml") + ":12:", `unknown name "b"`, "missing fallback verdict"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q, want %q", stderr, w)
		}
	}
}

// TestCheckRulesDir: RULES_DIR replaces the embedded rules; a broken set
// stops bot check with the located problems.
func TestCheckRulesDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "regles.yaml"), []byte("rule_set:\n  version: x\n  sourcedate: 2025\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RULES_DIR", dir)
	_, stderr, code := runBot(t, "", "check", "--json")
	if code != exitFail || !strings.Contains(stderr, filepath.Join(dir, "regles.yaml")+":3:") || !strings.Contains(stderr, `unknown field "sourcedate"`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// `bot check --fact … --receipt` prints the verdict, then its receipt.
func TestCheckReceipt(t *testing.T) {
	t.Parallel()
	out, stderr, code := runBot(t, "", "check", "--receipt", "--fact", "organisme_public=no")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"Récapitulatif — vérification d'admissibilité", "1. ", "→ Non", "Version des règles : ",
		"Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025", " UTC"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if _, stderr, code := runBot(t, "", "check", "--receipt", "--fact", "organisme_public=yes"); code != exitUsage || !strings.Contains(stderr, "no verdict yet") {
		t.Errorf("receipt before a verdict: exit %d, stderr %q", code, stderr)
	}
}
