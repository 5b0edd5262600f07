package nearest

import "testing"

func TestID(t *testing.T) {
	t.Parallel()
	ids := []string{"exceptions", "contact", "duree-suspension", "hors_sujet"}
	for _, tt := range []struct{ in, want string }{
		{"exeptions", "exceptions"}, {"contacts", "contact"}, {"duree_suspension", "duree-suspension"},
		{"hors-sujet", "hors_sujet"}, {"zzzzzzzzzz", ""}, {"", ""},
	} {
		if got := ID(tt.in, ids); got != tt.want {
			t.Errorf("ID(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
