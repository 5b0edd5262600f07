package rules

import (
	"slices"
	"strings"
	"testing"
)

// covered is a covered project with every exception fact answered no.
func covered(rs *RuleSet, set Facts) Facts {
	f := Facts{"organisme_public": Yes, "assistant_iag": Yes, "usage_individuel_gratuit": No}
	for _, n := range rs.FactNames()[4:] {
		f[n] = No
	}
	for k, v := range set {
		f[k] = v
	}
	return f
}

// TestRulesChangeByDataAlone edits a copy of the rules the way a compliance
// officer would and shows that the verdicts follow, with no Go change.
func TestRulesChangeByDataAlone(t *testing.T) {
	t.Parallel()
	regles := embeddedFile(t, "regles.yaml")
	def := mustDefault(t)

	// 1. The structured approach no longer requires training: drop the
	// criterion and its question.
	start := strings.Index(regles, "  - name: formation\n")
	end := strings.Index(regles, "  - name: declaration_collecte\n")
	dropped := regles[:start] + regles[end:]
	dropped = replaceOnce(t, dropped, "and dossier_opportunite and formation and declaration_collecte",
		"and dossier_opportunite and declaration_collecte")
	dropped = replaceOnce(t, dropped, `version: "2025-03-18.1"`, `version: "2025-06-01.1"`)

	// 2. A new exception with its own question, added to the list of
	// exceptions.
	added := replaceOnce(t, regles, "# Les cinq exceptions", `  - name: pilote_sectoriel
    label: {fr: "projet pilote sectoriel désigné", en: "designated sector pilot"}
    question: {fr: "Le projet est-il un projet pilote sectoriel désigné ?", en: "Is the project a designated sector pilot?"}
    why: {fr: "Nouvelle exception.", en: "New exception."}
    cites: [exceptions]

# Les cinq exceptions`)
	added = replaceOnce(t, added, "\ndefinitions:", `
  - name: pilote-sectoriel
    label: {fr: "projet pilote sectoriel désigné", en: "designated sector pilot"}
    when: pilote_sectoriel
    cites: [exceptions]

definitions:`)
	added = replaceOnce(t, added, "or deploiement-anterieur or autorisation-dpi", "or deploiement-anterieur or autorisation-dpi or pilote-sectoriel")

	five := Facts{"gestion_risques": Yes, "avis_securite": Yes, "qualite_donnees": Yes, "dossier_opportunite": Yes,
		"formation": No, "declaration_collecte": Yes}
	tests := []struct {
		name     string
		regles   string
		facts    Facts
		want     string
		wantExc  []string
		wantAsks string // a fact the new rules must ask
	}{
		{"structured approach without training", dropped, covered(def, five), "exception", []string{"demarche-structuree"}, ""},
		{"new exception applies", added, covered(def, Facts{"pilote_sectoriel": Yes}), "exception", []string{"pilote-sectoriel"}, "pilote_sectoriel"},
		{"new exception does not apply", added, covered(def, Facts{"pilote_sectoriel": No}), "suspendu", nil, "pilote_sectoriel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before, _ := def.Play(tt.facts)
			if before.Verdict != "suspendu" {
				t.Fatalf("default rules give %s, want suspendu before the change", before.Verdict)
			}
			rs, err := LoadDir(writeRules(t, map[string]string{"regles.yaml": tt.regles}))
			if err != nil {
				t.Fatalf("modified rules do not load: %v", err)
			}
			o, asked := rs.Play(tt.facts)
			if o.Verdict != tt.want || !slices.Equal(o.Exceptions, tt.wantExc) {
				t.Errorf("modified rules give %s %v, want %s %v (asked %v)", o.Verdict, o.Exceptions, tt.want, tt.wantExc, asked)
			}
			if tt.wantAsks != "" && !slices.Contains(asked, tt.wantAsks) {
				t.Errorf("modified rules never ask %s (asked %v)", tt.wantAsks, asked)
			}
			if slices.Contains(asked, "formation") && tt.regles == dropped {
				t.Errorf("asks the dropped criterion")
			}
		})
	}
}
