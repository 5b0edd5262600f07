package conversation

import (
	"strings"
	"testing"
)

// The parts a passage can be: list items, paragraphs, and the sentences of
// long paragraphs, each an exact substring; lead-ins to a list are none.
func TestPassageParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       []string
	}{
		{"list with its lead-in", "Critères :\n\n- premier;\n- deuxième.", []string{"premier;", "deuxième."}},
		{"short paragraphs stay whole", "Oui. La suspension s'applique.\n\nDeuxième paragraphe.",
			[]string{"Oui. La suspension s'applique.", "Deuxième paragraphe."}},
		{"a long paragraph gives its sentences", "Un (OP). Deux, 1.5 fois? Trois! « Quatre » suit.",
			[]string{"Un (OP).", "Deux, 1.5 fois?", "Trois!", "« Quatre » suit."}},
		{"an empty item is none", "-  \n- a", []string{"a"}},
		{"nothing", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := passageParts(tc.text)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("passageParts(%q) = %q; want %q", tc.text, got, tc.want)
			}
			for i, p := range got {
				if !strings.Contains(tc.text, p) {
					t.Errorf("part %q is not a substring", p)
				}
				if passageAt(tc.text, passageRef(i, p)) != p {
					t.Errorf("passageAt(passageRef(%d)) lost %q", i, p)
				}
			}
		})
	}
}
