package conversation

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Language detection and truncation on any bytes: detection says French,
// English or nothing; truncation keeps a prefix of at most MaxText
// characters, cut only when the text is longer.
func FuzzLangAndTruncate(f *testing.F) {
	for _, s := range []string{
		"Puis-je utiliser ChatGPT ?", "Can I use Copilot?", "ok", "1234", "«»", "\xff\xe9",
		strings.Repeat("é", MaxText+3), strings.Repeat("a", MaxText), "fr-CA", "EN_us",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch l := detectLang(s); l {
		case "", LangFR, LangEN:
		default:
			t.Fatalf("detectLang(%q) = %q", s, l)
		}
		if !utf8.ValidString(s) {
			// What the engine sees is valid (Runtime.Handle): detection of
			// the repaired text must not panic either.
			_ = detectLang(ValidText(s))
		}
		switch l := localeLang(s); l {
		case "", LangFR, LangEN:
		default:
			t.Fatalf("localeLang(%q) = %q", s, l)
		}
		got, cut := truncate(s)
		n := utf8.RuneCountInString(s)
		if !strings.HasPrefix(s, got) {
			t.Fatalf("truncate(%q) = %q: not a prefix", s, got)
		}
		if cut != (n > MaxText) {
			t.Fatalf("truncate of %d characters: cut %v", n, cut)
		}
		if cut && utf8.RuneCountInString(got) != MaxText {
			t.Fatalf("truncate kept %d characters, want %d", utf8.RuneCountInString(got), MaxText)
		}
		if !cut && got != s {
			t.Fatalf("truncate changed a short text")
		}
	})
}
