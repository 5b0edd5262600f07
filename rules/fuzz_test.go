package rules

import (
	"errors"
	"os"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

// Conditions as an operator writes them: a tree or an error, never a panic.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{
		"organisme_public and not (exception_a or exception_b)", "a et (b ou non c)", "((a)", "a and", "and",
		"a or or b", "é\xff", "", "(((((((((((((((((((((((a)))))))))))))))))))))))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e, err := parseExpr(s); err == nil && e == nil {
			t.Fatalf("parseExpr(%q): no tree and no error", s)
		}
	})
}

// A typed answer: one of the three values or not understood; Normalize
// is idempotent and keeps valid UTF-8.
func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"oui", "Je ne sais pas.", "I don't know!", "2", "NON", "\xff", "  ?  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, ok := ParseValue(s); ok && !v.Valid() {
			t.Fatalf("ParseValue(%q) = %v, not a value", s, v)
		}
		n := Normalize(s)
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, n, Normalize(n))
		}
	})
}

// An operator's rules file, whatever it holds: a rule set or located
// problems, never a panic.
func FuzzLoadRules(f *testing.F) {
	official, err := os.ReadFile("data/regles.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(official))
	for _, s := range []string{"rule_set: {}\nfacts: []\n", "facts:\n  - name: a\n    question: {fr: x}\n", "&a [*a]", "\x00\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rs, err := LoadFS(fstest.MapFS{"regles.yaml": {Data: []byte(body)}}, "rules")
		if err == nil {
			if rs == nil {
				t.Fatalf("no error and no rule set for %q", body)
			}
			return
		}
		var ve *ValidationError
		if !errors.As(err, &ve) && len(Problems(err)) == 0 {
			t.Fatalf("error %v: want located problems", err)
		}
	})
}
