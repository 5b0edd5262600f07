package index_test

import "testing"

// BestPassage picks the part that sets itself apart by the question's
// words: the words every part shares (the answer's topic) count less, and
// a part that does not stand out 1.5 times above the next is none.
func TestBestPassage(t *testing.T) {
	t.Parallel()
	ix := official(t)
	parts := []string{
		"Parmi les exceptions de l'indication d'application mentionnées à la présente suspension, il est fait mention d'une « démarche structurée ».",
		"Une démarche structurée implique que l'organisme public a démontré qu'il applique l'Énoncé de principes.",
		"qu'il a mis en place des mécanismes assurant la qualité des données pouvant être utilisée par le système IAG ;",
		"qu'il a mis en place des mesures de formation et de sensibilisation pour les employés visés par le système;",
		"qu'il a déclaré la démarche dans la collecte sur les actifs informationnels.",
	}
	tests := []struct {
		q    string
		want int // -1: none
	}{
		// "démarche structurée" is in three parts: "formation" decides.
		{"Démarche structurée : faut-il une formation des employés?", 3},
		{"La qualité des données compte-t-elle?", 2},
		{"Énoncé de principes", 1},
		{"démarche structurée", -1}, // in three parts alike: none stands out
		{"météo de demain", -1},     // no word of the question in any part
		{"", -1},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			t.Parallel()
			got, ok := ix.BestPassage(tc.q, "", parts)
			if (tc.want >= 0) != ok || (ok && got != tc.want) {
				t.Fatalf("BestPassage(%q) = %d, %v; want %d", tc.q, got, ok, tc.want)
			}
		})
	}
	if _, ok := ix.BestPassage("formation des employés", "", parts[3:4]); ok {
		t.Error("one part: want no passage (the whole answer is the passage)")
	}
}
