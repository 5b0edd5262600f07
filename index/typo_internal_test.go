package index

import "testing"

func TestOneEdit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"suspention", "suspension", true}, // substitution
		{"suspesnion", "suspension", true}, // adjacent swap
		{"suspenion", "suspension", true},  // deletion
		{"susspension", "suspension", true},
		{"exeption", "exception", true},
		{"éligibilté", "éligibilité", true},
		{"fetes", "etees", false}, // same deletion, two edits apart
		{"ferme", "terme", true},
		{"abcd", "dcba", false},
		{"suspension", "suspension", false},
		{"sus", "suspension", false},
	}
	for _, tt := range tests {
		if got := oneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := oneEdit(tt.b, tt.a); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}
