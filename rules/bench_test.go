package rules

import "testing"

// BenchmarkEvaluate measures one dialog step in the middle of the
// exceptions: scope answered, two exceptions ruled out, one unknown.
func BenchmarkEvaluate(b *testing.B) {
	rs := mustDefault(b)
	f := Facts{"organisme_public": Yes, "assistant_iag": Yes, "usage_individuel_gratuit": No,
		"experimentation_mcn": No, "dossier_affaires_dpi": Unknown, "gestion_risques": Yes, "avis_securite": Yes}
	b.ReportAllocs()
	for b.Loop() {
		if o := rs.Evaluate(f); o.Next != "qualite_donnees" {
			b.Fatalf("next %q", o.Next)
		}
	}
}

// BenchmarkEvaluateVerdict measures the last step, which also builds the
// citations.
func BenchmarkEvaluateVerdict(b *testing.B) {
	rs := mustDefault(b)
	f := covered(rs, Facts{"autorisation_dpi": Yes})
	b.ReportAllocs()
	for b.Loop() {
		if o := rs.Evaluate(f); o.Verdict != "exception" {
			b.Fatalf("verdict %q", o.Verdict)
		}
	}
}
