package faq_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

const goodDoc = "title: FAQ\nissuer: MCN\nreference: IA-RI-2025-001-OP\ndate: 2025-03-18\n"

const goodEntry = `id: contact
question: QUI CONTACTER ?
answer: |-
  Écrivez-nous.

  - un point;
  - un autre.
alternates:
  - À qui écrire?
keywords: [contact]
`

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDirErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the problems, each with file:line
	}{
		{"duplicate id", map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry, "b.yaml": goodEntry},
			[]string{"b.yaml:1: identifiant en double « contact »", "a.yaml:1"}},
		{"empty question", map[string]string{"document.yaml": goodDoc,
			"a.yaml": strings.Replace(goodEntry, "question: QUI CONTACTER ?", "question: \"  \"", 1)},
			[]string{"a.yaml:2: champ « question » vide"}},
		{"missing answer", map[string]string{"document.yaml": goodDoc,
			"a.yaml": "id: x\nquestion: Q ?\n"},
			[]string{"a.yaml:1: champ obligatoire « answer » manquant"}},
		{"empty alternate", map[string]string{"document.yaml": goodDoc,
			"a.yaml": strings.Replace(goodEntry, "  - À qui écrire?", "  - \"\"", 1)},
			[]string{"a.yaml:9: élément vide dans « alternates »"}},
		{"unknown field", map[string]string{"document.yaml": goodDoc,
			"a.yaml": goodEntry + "anwser: oops\n"},
			[]string{"a.yaml:11: champ inconnu « anwser »"}},
		{"document url not https", map[string]string{"document.yaml": goodDoc + "url: http://exemple.gouv.qc.ca/faq\n", "a.yaml": goodEntry},
			[]string{"document.yaml:5: adresse « http://exemple.gouv.qc.ca/faq » refusée : https:// attendu"}},
		{"link not https", map[string]string{"document.yaml": goodDoc + "links:\n  - title: Guide\n    url: javascript:alert(1)\n", "a.yaml": goodEntry},
			[]string{"document.yaml:5: adresse « javascript:alert(1) » refusée"}},
		{"unknown related entry", map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry + "related: [nulle-part]\n"},
			[]string{"a.yaml:1: « related » : entrée « nulle-part » inconnue"}},
		{"unknown document field", map[string]string{"document.yaml": goodDoc + "author: x\n", "a.yaml": goodEntry},
			[]string{"document.yaml:5: champ inconnu « author »"}},
		{"bad date", map[string]string{"document.yaml": strings.Replace(goodDoc, "2025-03-18", "18 mars 2025", 1), "a.yaml": goodEntry},
			[]string{"document.yaml:4: date « 18 mars 2025 » invalide"}},
		{"bad id", map[string]string{"document.yaml": goodDoc, "a.yaml": strings.Replace(goodEntry, "id: contact", "id: Contact Us", 1)},
			[]string{"a.yaml:1: identifiant « Contact Us » invalide"}},
		{"invalid yaml", map[string]string{"document.yaml": goodDoc, "a.yaml": "id: [x\nquestion: y\n"},
			[]string{"a.yaml:", "YAML invalide"}},
		{"no document", map[string]string{"a.yaml": goodEntry},
			[]string{"document.yaml: fichier manquant"}},
		{"no entries", map[string]string{"document.yaml": goodDoc},
			[]string{"aucune entrée"}},
		{"duplicate synonym variant", map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry,
			"synonyms.yaml": "- term: a\n  variants: [x, y]\n- term: b\n  variants: [z, X]\n"},
			[]string{"synonyms.yaml:4: variante « X » déjà utilisée ligne 2"}},
		{"example of an unknown entry", map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry,
			"exemples.yaml": "contact:\n  - \"le courriel du mcn?\"\ncontcat:\n  - \"à qui écrire svp\"\n  - \"et encore\"\n"},
			[]string{"exemples.yaml:4: entrée inconnue « contcat »", `did you mean "contact"?`}},
		{"unclosed quote", map[string]string{"document.yaml": goodDoc, "a.yaml": strings.Replace(goodEntry, "question: QUI CONTACTER ?", "question: \"QUI CONTACTER ?", 1)},
			[]string{"a.yaml:2: YAML invalide / invalid YAML: guillemet « \" » non fermé à la ligne 2"}},
		{"out-of-scope example repeating a phrasing", map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry,
			"exemples.yaml": "hors_sujet:\n  - \"mon VPN ne marche pas\"\n  - \"à QUI écrire?\"\n"},
			[]string{"exemples.yaml:3: ce message est déjà une formulation de l'entrée « contact »"}},
		{"duplicate example", map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry,
			"exemples.yaml": "hors_sujet:\n  - \"mon VPN\"\ncontact:\n  - \"Mon  VPN\"\n"},
			[]string{"exemples.yaml:4: message en double (déjà à", "exemples.yaml:2)"}},
		{"examples not a mapping", map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry,
			"exemples.yaml": "- un message\n"},
			[]string{"exemples.yaml:1: un dictionnaire"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeDir(t, tt.files)
			_, err := faq.LoadDir(dir)
			var ve *faq.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("LoadDir: got %v, want a *faq.ValidationError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if strings.Count(err.Error(), "entrée inconnue") > 1 {
				t.Errorf("an unknown entry reported more than once: %v", err)
			}
			for _, p := range ve.Problems {
				if !strings.HasPrefix(p.File, dir) {
					t.Errorf("problem %v: file %q not under %s", p, p.File, dir)
				}
			}
		})
	}
}

func TestLoadDirValid(t *testing.T) {
	t.Parallel()
	dir := writeDir(t, map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry})
	kb, err := faq.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, ok := kb.Entry("contact")
	if !ok {
		t.Fatal("entry contact not found")
	}
	if want := "Écrivez-nous.\n\n- un point;\n- un autre."; e.Answer != want {
		t.Errorf("answer %q, want %q", e.Answer, want)
	}
	if len(e.Alternates) != 1 || len(e.Keywords) != 1 {
		t.Errorf("alternates %q, keywords %q", e.Alternates, e.Keywords)
	}
	def, _ := faq.Default()
	if len(kb.Synonyms) != len(def.Synonyms) {
		t.Errorf("without synonyms.yaml: %d synonym groups, want the %d embedded ones", len(kb.Synonyms), len(def.Synonyms))
	}
	if _, ok := kb.Entry("nope"); ok {
		t.Error("Entry(nope) found")
	}
	if _, err := faq.LoadDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("LoadDir(missing dir): no error")
	}
}

func TestExamplesAndTrainingProblems(t *testing.T) {
	t.Parallel()
	dir := writeDir(t, map[string]string{"document.yaml": goodDoc, "a.yaml": goodEntry,
		"b.yaml":        "id: seule\nquestion: Q ?\nanswer: R.\n",
		"exemples.yaml": "contact:\n  - \"le courriel du mcn?\"\nhors_sujet:\n  - \"mon VPN ne marche pas\"\n"})
	kb, err := faq.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []faq.Example{
		{Text: "le courriel du mcn?", Entry: "contact", File: filepath.Join(dir, "exemples.yaml"), Line: 2},
		{Text: "mon VPN ne marche pas", Entry: "", File: filepath.Join(dir, "exemples.yaml"), Line: 4},
	}
	if len(kb.Examples) != len(want) {
		t.Fatalf("examples %+v, want %+v", kb.Examples, want)
	}
	for i := range want {
		if kb.Examples[i] != want[i] {
			t.Errorf("example %d: %+v, want %+v", i, kb.Examples[i], want[i])
		}
	}
	ps := faq.TrainingProblems(kb)
	if len(ps) != 1 || ps[0].File != filepath.Join(dir, "b.yaml") || ps[0].Line != 1 || !strings.Contains(ps[0].Msg, "« seule » n'a aucune formulation") {
		t.Errorf("TrainingProblems = %v, want b.yaml:1 for entry seule", ps)
	}
}
