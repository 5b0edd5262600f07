package rules

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func embeddedFile(t *testing.T, name string) string {
	t.Helper()
	b, err := embedded.ReadFile("data/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeRules writes files into a fresh directory and returns it.
func writeRules(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// lineOf is the 1-based line where needle starts in s.
func lineOf(t *testing.T, s, needle string) int {
	t.Helper()
	i := strings.Index(s, needle)
	if i < 0 {
		t.Fatalf("%q not found", needle)
	}
	return strings.Count(s[:i], "\n") + 1
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("%q occurs %d times, want once", old, strings.Count(s, old))
	}
	return strings.Replace(s, old, new, 1)
}

func TestLoadDirEqualsDefault(t *testing.T) {
	t.Parallel()
	dir := writeRules(t, map[string]string{
		"regles.yaml":    embeddedFile(t, "regles.yaml"),
		"scenarios.yaml": embeddedFile(t, "scenarios.yaml"),
	})
	rs, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	def := mustDefault(t)
	if rs.Version != def.Version || !rs.SourceDate.Equal(def.SourceDate) || len(rs.Scenarios()) != len(def.Scenarios()) {
		t.Errorf("copy loads as %s %v %d scenarios, default %s %v %d", rs.Version, rs.SourceDate, len(rs.Scenarios()),
			def.Version, def.SourceDate, len(def.Scenarios()))
	}
	if rs.SourceDate.Format("2006-01-02") != "2025-03-18" {
		t.Errorf("source date %v, want 2025-03-18", rs.SourceDate)
	}
}

// TestLoadErrors breaks a copy of the rules in one way each and checks the
// error names the file and line and says what is wrong.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	regles := embeddedFile(t, "regles.yaml")
	scen := embeddedFile(t, "scenarios.yaml")
	tests := []struct {
		name     string
		file     string // file broken: regles.yaml or scenarios.yaml
		old, new string
		at       string // text on the expected line of the broken file
		want     string // substring of the message
		once     bool   // the only problem reported
	}{
		{"unknown fact in a condition", "regles.yaml",
			"when: deploye_avant_suspension and approuve_securite and efvp",
			"when: deploye_avant_suspension and approuve_securite and evfp",
			"when: deploye_avant_suspension", `unknown name "evfp"`, true},
		{"column of a misspelt name", "regles.yaml",
			"when: deploye_avant_suspension and approuve_securite and efvp",
			"when: deploye_avant_suspension and approuve_securite and evfp",
			"when: deploye_avant_suspension", `:62: condition : nom inconnu « evfp »`, true},
		{"syntax error inside a multi-line condition, at its column", "regles.yaml",
			"and dossier_opportunite and formation and declaration_collecte",
			"and dossier_opportunite and ) formation and declaration_collecte",
			"and dossier_opportunite and ) formation", `:35: condition « gestion_risques and avis_securite and qualite_donnees and dossier_opportunite and ) formation and declaration_collecte » : « ) » inattendu`, true},
		{"misspelt fact in a scenario, with a suggestion", "scenarios.yaml",
			"facts: {organisme_public: no, assistant_iag: yes}",
			"facts: {organisme_public: no, asistant_iag: yes}",
			"facts: {organisme_public: no, asistant_iag: yes}", `:35: scénario : fait inconnu « asistant_iag » / scenario: unknown fact "asistant_iag" ; vouliez-vous dire « assistant_iag » ?`, false},
		{"suggestion for a misspelt name", "regles.yaml",
			"when: deploye_avant_suspension and approuve_securite and efvp",
			"when: deploye_avant_suspension and approuve_securite and evfp",
			"when: deploye_avant_suspension", `did you mean "efvp"`, true},
		{"fact used twice in a condition", "regles.yaml",
			"when: projet_vise and not une_exception",
			"when: projet_vise and not une_exception and usage_individuel_gratuit",
			"when: projet_vise and not une_exception", `fact "usage_individuel_gratuit" occurs 2 times`, false},
		{"verdict no combination reaches alone", "regles.yaml",
			"when: projet_vise and not une_exception",
			"when: projet_vise",
			"when: projet_vise and une_exception", `verdict "exception" is unreachable`, false},
		{"overlapping verdicts", "regles.yaml",
			"when: assistant_vise and usage_individuel_gratuit and acces_permis",
			"when: assistant_vise and acces_permis",
			"when: projet_vise and not une_exception", `verdicts "usage-individuel" and "suspendu" both apply`, false},
		{"combination without verdict", "regles.yaml",
			"when: assistant_vise and usage_individuel_gratuit and not acces_permis",
			"when: assistant_vise and usage_individuel_gratuit and not acces_permis and experimentation_mcn",
			"", "no verdict applies", false},
		{"misspelt name reported once, where it is written", "regles.yaml",
			"and dossier_opportunite and formation and declaration_collecte",
			"and dossier_opportunite and formaton and declaration_collecte",
			// at the name itself, inside the multi-line condition: line 3 of the block, column 35
			"and dossier_opportunite and formaton", `:35: condition : nom inconnu « formaton »`, true},
		{"unknown field", "regles.yaml",
			"    cites: [organisations-concernees]\n",
			"    cites: [organisations-concernees]\n    citation: oops\n",
			"citation: oops", `unknown field "citation"`, false},
		{"duplicate fact", "regles.yaml",
			"  - name: acces_permis", "  - name: assistant_iag",
			"  - name: assistant_iag\n    label:\n      fr: \"accès", "already used", false},
		{"bad template placeholder", "regles.yaml",
			"cette exception s'applique : {exceptions}", "cette exception s'applique : {exception}",
			"  - code: exception", "unknown {exception}", false},
		{"unknown tone", "regles.yaml",
			"    tone: negative\n    contact: true\n", "    tone: grave\n    contact: true\n",
			"  - code: suspendu", `unknown tone "grave"`, true},
		{"conclusion in one language", "regles.yaml",
			"      en: \"To conclude, first check {to_verify}.\"\n", "",
			"  - code: indetermine", "conclusion: fr and en text required", true},
		{"bad conclusion placeholder", "regles.yaml",
			"Pour conclure, il faut d'abord vérifier {to_verify}.", "Pour conclure, il faut d'abord vérifier {verify}.",
			"  - code: indetermine", "unknown {verify}", true},
		{"condition syntax", "regles.yaml",
			"when: not organisme_public or not assistant_iag",
			"when: not organisme_public or or not assistant_iag",
			"when: not organisme_public", "unexpected", false},
		{"circular definition", "regles.yaml",
			"when: organisme_public and assistant_iag\n", "when: organisme_public and assistant_iag and projet_vise\n",
			"", "circular", false},
		{"bad source date", "regles.yaml",
			`source_date: "2025-03-18"`, `source_date: "18 mars 2025"`,
			`version: "2025-03-18.1"`, "YYYY-MM-DD", false},
		{"failing scenario", "scenarios.yaml",
			"accéder à ces outils en ligne.\"\n    facts: {organisme_public: yes, assistant_iag: yes, usage_individuel_gratuit: yes, acces_permis: no}\n    verdict: usage-individuel-non-permis",
			"accéder à ces outils en ligne.\"\n    facts: {organisme_public: yes, assistant_iag: yes, usage_individuel_gratuit: yes, acces_permis: no}\n    verdict: usage-individuel",
			"  - story: \"Un conseiller d'un organisme public aimerait", "failing scenario", false},
		{"scenario with an unknown fact", "scenarios.yaml",
			"facts: {organisme_public: no, assistant_iag: yes}",
			"facts: {organisme_publique: no, assistant_iag: yes}",
			"facts: {organisme_publique", `unknown fact "organisme_publique"`, false}, // at the fact itself
		{"scenario with a bad value", "scenarios.yaml",
			"facts: {organisme_public: no, assistant_iag: yes}",
			"facts: {organisme_public: non, assistant_iag: yes}",
			"  - story: \"Une entreprise privée de Montréal", "allowed yes, no or unknown", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{"regles.yaml": regles, "scenarios.yaml": scen}
			broken := replaceOnce(t, files[tt.file], tt.old, tt.new)
			files[tt.file] = broken
			dir := writeRules(t, files)
			_, err := LoadDir(dir)
			if err == nil {
				t.Fatal("loads without error")
			}
			msg := err.Error()
			if n := len(Problems(err)); tt.once && n != 1 {
				t.Errorf("%d problems, want 1:\n%s", n, msg)
			}
			if tt.want != "" && !strings.Contains(msg, tt.want) {
				t.Errorf("error %q\nwant it to contain %q", msg, tt.want)
			}
			if tt.at != "" {
				loc := filepath.Join(dir, tt.file) + ":" + strconv.Itoa(lineOf(t, broken, tt.at)) + ":"
				if !strings.Contains(msg, loc) {
					t.Errorf("error %q\nwant location %s", msg, loc)
				}
			}
		})
	}
}

// A misspelt name in a condition and one in a scenario are both reported
// in one run, each at its line and column.
func TestLoadReportsConditionAndScenarioAtOnce(t *testing.T) {
	t.Parallel()
	regles := strings.Replace(embeddedFile(t, "regles.yaml"), "and dossier_opportunite and formation and", "and dossier_opportunite and formaton and", 1)
	scen := strings.Replace(embeddedFile(t, "scenarios.yaml"), "facts: {organisme_public: no, assistant_iag: yes}", "facts: {organisme_public: no, asistant_iag: yes}", 1)
	dir := writeRules(t, map[string]string{"regles.yaml": regles, "scenarios.yaml": scen})
	_, err := LoadDir(dir)
	got := Problems(err)
	want := []string{
		filepath.Join(dir, "regles.yaml") + ":" + strconv.Itoa(lineOf(t, regles, "formaton")) + ":35: condition : nom inconnu « formaton »",
		filepath.Join(dir, "scenarios.yaml") + ":" + strconv.Itoa(lineOf(t, scen, "asistant_iag")) + ":35: scénario : fait inconnu « asistant_iag »",
	}
	if len(got) != len(want) {
		t.Fatalf("problems %q; want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q; want it to start with %q", i, got[i], want[i])
		}
	}
}
