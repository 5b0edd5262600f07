package rules

import "testing"

// The Latin fast path of Normalize gives what the decomposition gives.
func TestNormalizeLatinSameAsNFD(t *testing.T) {
	t.Parallel()
	inputs := []string{"", "?", " ? ", "Je ne sais pas.", "Don't know!", "ÉTÉ à Montréal", "l’IA générative", "ß æ œ Œ ﬁ",
		"İstanbul", "e\u0301te\u0301", "Ça compte-tu ?", "½ ² ×÷ © ¿¡", "naïve façade", "Ǆ ǅ", "x\u00a0y\tz", "oui/non", "1) 2) 3)"}
	for r := rune(0); r < 0x250; r++ {
		inputs = append(inputs, string(r), "a"+string(r)+"b", string(r)+" "+string(r))
	}
	for _, s := range inputs {
		if got, want := Normalize(s), normalizeNFD(s); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", s, got, want)
		}
	}
}
