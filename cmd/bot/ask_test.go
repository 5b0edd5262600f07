package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

func askEnv(cfg Config) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	if cfg.EscalationEmail == "" {
		cfg.EscalationEmail = conversation.DefaultEscalationEmail
	}
	return &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Config: cfg,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, &out, &errb
}

func askJSON(t *testing.T, cfg Config, args ...string) askOutput {
	t.Helper()
	env, out, errb := askEnv(cfg)
	if code := runAsk(context.Background(), env, append([]string{"--json"}, args...)); code != exitOK {
		t.Fatalf("bot ask --json %q: exit %d, stderr %s", args, code, errb)
	}
	var r askOutput
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("bot ask --json %q: not JSON: %v\n%s", args, err, out)
	}
	return r
}

type evalQuestion struct {
	Q      string  `json:"q"`
	Expect *string `json:"expect"`
	Kind   string  `json:"kind"`
}

// TestAskQuestionSets runs the development set (copied from
// ../shared/eval) through `bot ask --json`, scored as
// ../shared/eval/tools/ask_eval.py scores them. The other question sets are
// training data: their held-out figures come from the cross-validation by
// file in index/xval_internal_test.go.
func TestAskQuestionSets(t *testing.T) {
	t.Parallel()
	sets := []struct {
		file string
		top1 float64 // in-scope questions answered with the right entry, at least
	}{
		// The bars: top-1 0.95, fallback 0.90, wrong answers 3%.
		{"dev_questions.jsonl", 0.95},
	}
	for _, set := range sets {
		file := set.file
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("..", "..", "testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ask := setAsker(t, file == "dev_questions.jsonl")
			var in, inRight, out, outFallback, wrong int
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if len(bytes.TrimSpace(sc.Bytes())) == 0 {
					continue
				}
				var q evalQuestion
				if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
					t.Fatal(err)
				}
				r := ask(q.Q)
				got := ""
				if r.Status == "answer" && r.Entry != nil {
					got = *r.Entry
				}
				if q.Expect != nil {
					in++
					switch got {
					case *q.Expect:
						inRight++
					case "":
						t.Logf("fell back [%s] %q (want %s, confidence %.2f)", q.Kind, q.Q, *q.Expect, r.Confidence)
					default:
						wrong++
						t.Logf("WRONG [%s] %q: %s, want %s", q.Kind, q.Q, got, *q.Expect)
					}
					continue
				}
				out++
				if got == "" {
					outFallback++
				} else {
					wrong++
					t.Logf("WRONG [oos] %q answered %s", q.Q, got)
				}
			}
			total := in + out
			top1 := float64(inRight) / float64(in)
			fb := float64(outFallback) / float64(out)
			wr := float64(wrong) / float64(total)
			t.Logf("in-scope top-1 %d/%d = %.3f, out-of-scope fallback %d/%d = %.3f, wrong %d/%d = %.3f",
				inRight, in, top1, outFallback, out, fb, wrong, total, wr)
			if top1 < set.top1 || fb < 0.90 || wr > 0.03 {
				t.Errorf("below the bar: top-1 %.3f (>= %.2f), fallback %.3f (>= 0.90), wrong %.3f (<= 0.03)", top1, set.top1, fb, wr)
			}
		})
	}
}

// setAsker returns how a question set is asked: the development set goes
// through the whole of `bot ask --json` (FAQ load and index build included,
// from the data directory's caches after the first question, as repeated
// runs of the evaluation do); the larger sets share one index built by the
// same loaders and go through the same engine, which keeps the race
// run of this package in minutes rather than tens of minutes.
func setAsker(t *testing.T, whole bool) func(q string) askOutput {
	if whole {
		cfg := Config{DataDir: t.TempDir()}
		return func(q string) askOutput { return askJSON(t, cfg, q) }
	}
	a, err := newAsker(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return func(q string) askOutput {
		out, _, _ := a.ask(t.Context(), q, "fr")
		return out
	}
}

func TestAskJSONContract(t *testing.T) {
	t.Parallel()
	r := askJSON(t, Config{}, "qui", "contacter", "pour", "des", "questions", "?")
	if r.Status != "answer" || r.Entry == nil || *r.Entry != "contact" || r.Answer == nil || r.Source == nil || r.Question == nil {
		t.Fatalf("answer: %+v", r)
	}
	if !strings.Contains(*r.Answer, "encadrement.ia@mcn.gouv.qc.ca") || *r.Source != "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025" {
		t.Errorf("answer text or source: %q / %q", *r.Answer, *r.Source)
	}
	if r.Confidence < 0.5 || r.Confidence > 1 || r.Suggestions == nil {
		t.Errorf("confidence %v, suggestions %v", r.Confidence, r.Suggestions)
	}
	fb := askJSON(t, Config{}, "--lang", "en", "c'est quand la prochaine paie?")
	if fb.Status != "fallback" || fb.Entry != nil || fb.Answer != nil || fb.Contact != conversation.DefaultEscalationEmail {
		t.Errorf("fallback: %+v", fb)
	}
	amb := askJSON(t, Config{}, "assistant virtuel IAG suspension")
	if amb.Status != "fallback" || amb.Decision != "ambiguous" || len(amb.Suggestions) < 2 || len(amb.Suggestions) > 3 {
		t.Errorf("ambiguous: %+v, want status fallback with 2–3 suggestions", amb)
	}
}

func TestAskHumanOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"answer fr", []string{"y a-t-il des exceptions?"}, []string{"Y A-T-IL DES EXCEPTIONS ?\n\nLes assistants virtuels",
			"- ceux prévus dans le cadre de l'expérimentation du MCN;\n", "conformément à l'article 8 des Règles relatives à la gestion des projets en ressources informationnelles;",
			"\n\nSource : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025\n"}},
		{"answer en", []string{"--lang", "en", "Can I still use ChatGPT?"}, []string{"PUIS-JE ENCORE UTILISER",
			"nous vous référons aux GUIDE DES BONNES PRATIQUES D'UTILISATION DE L'INTELLIGENCE ARTIFICIELLE GÉNÉRATIVE.",
			"Source: FAQ IA-RI-2025-001-OP, MCN, March 18, 2025"}},
		{"fallback fr", []string{"assistant IAG sanction disciplinaire"}, []string{"Je n'ai pas trouvé de réponse", "encadrement.ia@mcn.gouv.qc.ca"}},
		{"fallback en", []string{"--lang=en", "assistant IAG sanction disciplinaire"}, []string{"I found no answer to this question", "To reach the MCN: encadrement.ia@mcn.gouv.qc.ca"}},
		{"off-topic fr", []string{"raconte-moi une blague"}, []string{"Je réponds seulement aux questions sur l'indication d'application IA-RI-2025-001-OP"}},
		{"off-topic en", []string{"--lang=en", "tell me a joke"}, []string{"I only answer questions about directive IA-RI-2025-001-OP"}},
		{"ambiguous", []string{"assistant virtuel IAG suspension"}, []string{"plus d'une réponse de la FAQ", "Vouliez-vous dire :\n- ", "\n- "}},
		// The same engine as every surface: commands work here too.
		{"command", []string{"aide"}, []string{"« admissibilité »"}},
		{"the check is bot check's", []string{"admissibilité"}, []string{"bot check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, out, errb := askEnv(Config{})
			if code := runAsk(context.Background(), env, tt.args); code != exitOK {
				t.Fatalf("exit %d: %s", code, errb)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestAskBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no question", nil, exitUsage},
		{"blank question", []string{"  ", "\t"}, exitUsage},
		{"only flags", []string{"--json", "--lang", "en"}, exitUsage},
		{"bad lang", []string{"--lang", "de", "hallo"}, exitUsage},
		{"lang without value", []string{"question", "--lang"}, exitUsage},
		{"help", []string{"-h"}, exitOK},
		{"very long", []string{"pourquoi la suspension " + strings.Repeat("très ", 3000)}, exitOK},
		{"query syntax", []string{"--json", `title:"x" AND -y +z~2 /re/ *`}, exitOK},
		{"after --", []string{"--", "--json"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _, errb := askEnv(Config{})
			if code := runAsk(context.Background(), env, tt.args); code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, errb)
			}
			if tt.code == exitUsage && !strings.Contains(errb.String(), "/") {
				t.Errorf("usage error without a bilingual message: %q", errb)
			}
		})
	}
	long := askJSON(t, Config{}, "jusqu'à quand la suspension "+strings.Repeat("x ", 3000))
	if !long.Truncated || long.Entry == nil || *long.Entry != "duree-suspension" {
		t.Errorf("long question: %+v, want duree-suspension and truncated", long)
	}
}

func TestAskFAQDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"document.yaml": "title: Test\nissuer: MCN\nreference: TEST-1\ndate: 2026-01-01\n",
		"cafe.yaml":     "id: cafe\nquestion: OÙ EST LE CAFÉ ?\nanswer: Au 3e étage.\nkeywords: [cafétéria]\n",
		"parking.yaml":  "id: parking\nquestion: OÙ SE GARER ?\nanswer: Stationnement P2.\nkeywords: [stationnement, voiture]\n",
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := askJSON(t, Config{FAQDir: dir}, "où est le cafe")
	if r.Entry == nil || *r.Entry != "cafe" || *r.Source != "Source : FAQ TEST-1, MCN, 1er janvier 2026" {
		t.Errorf("FAQ_DIR: %+v", r)
	}
	env, _, errb := askEnv(Config{FAQDir: filepath.Join(dir, "missing")})
	if code := runAsk(context.Background(), env, []string{"café"}); code != exitFail || errb.Len() == 0 {
		t.Errorf("missing FAQ_DIR: exit %d, stderr %q", code, errb)
	}
}

func TestValidateFAQ(t *testing.T) {
	t.Parallel()
	if summary, problems := checkFAQ(""); len(problems) > 0 || !strings.Contains(summary, "11") {
		t.Errorf("embedded: %q %q", summary, problems)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "document.yaml"), []byte("title: T\nissuer: MCN\nreference: R\ndate: 2026-01-01\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("id: a\nquestion: Q\nanswer: A\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), []byte("id: a\nquestion: Q\nanswer: \"\"\nextra: 1\n"), 0o644)
	_, problems := checkFAQ(dir)
	joined := strings.Join(problems, "\n")
	for _, w := range []string{"b.yaml:4: champ inconnu « extra »", "b.yaml:3: champ « answer » vide"} {
		if !strings.Contains(joined, w) {
			t.Errorf("problems lack %q:\n%s", w, joined)
		}
	}
	var out, errb bytes.Buffer
	v := ""
	if code := validateAll(&out, &errb, Config{}, dir, map[string]*string{"faq": &v, "rules": &v}); code != exitFail {
		t.Errorf("bot validate on a bad FAQ dir: exit %d, want %d", code, exitFail)
	}
}
