package conversation

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// go test replays the seeds; go test -fuzz=FuzzRedact ./conversation
// explores further (README, "Fuzzing").

func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"écrivez à hélène.côté@mcn.gouv.qc.ca ou au +33 1 23 45 67 89",
		"je m'appelle Marie Tremblay, matricule 123456, NAS 046.454.286",
		"un contrat de 1 250 000 $ selon l'article 8 de IA-RI-2025-001-OP",
		"jean [at] x [dot] ca", "Merci, Julie Gagnon", "\xff\xfe", "",
		"BEſT, Julie Gagnon", "THANKS Julie", "Je SUIS Marie Tremblay", "MON NOM EST Côté", "I’M John Smith",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Redact(s)
		if all := redact(s, false); got != all {
			t.Fatalf("Redact(%q) = %q, but every expression tried gives %q: a cue is missing", s, got, all)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Redact(%q) = %q: invalid UTF-8", s, got)
		}
		if again := Redact(got); utf8.ValidString(s) && strings.Count(again, "[") < strings.Count(got, "[") {
			t.Fatalf("redacting twice lost marks: %q then %q", got, again)
		}
	})
}

func FuzzValidText(f *testing.F) {
	for _, s := range []string{"café", "caf\xe9", "\x80\xff", "\xed\xa0\x80", "🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ValidText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("ValidText(%q) = %q: invalid", s, got)
		}
		if utf8.ValidString(s) && got != s {
			t.Fatalf("ValidText changed valid text %q to %q", s, got)
		}
	})
}

// Any byte sequence: pieces within the limit, only white space lost.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		strings.Repeat("Un paragraphe.\n\n", 20), strings.Repeat("\x80", 40), "é\xc3🙂 mot " + strings.Repeat("x", 30),
	} {
		f.Add(s, 7)
		f.Add(s, 30)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 1 || limit > 5000 {
			return
		}
		for _, sp := range []Splitter{{Limit: limit}, {Limit: limit, Len: UTF16Len}} {
			parts := sp.Split(s)
			size := sp.Len
			if size == nil {
				size = runeLen
			}
			for _, p := range parts {
				// A single character wider than the limit (an emoji at 1) is
				// still a piece of its own.
				if size(p) > limit && utf8.RuneCountInString(p) > 1 {
					t.Fatalf("piece %q of %d > %d", p, size(p), limit)
				}
			}
			// Each piece stripped on its own: invalid bytes that the split
			// cut apart would make a rune if joined.
			strip := func(x string) string { return strings.Map(dropSpace, x) }
			var joined strings.Builder
			for _, p := range parts {
				joined.WriteString(strip(p))
			}
			if joined.String() != strip(s) {
				t.Fatalf("split of %q lost text: %q", s, parts)
			}
		}
	})
}

func dropSpace(r rune) rune {
	if strings.ContainsRune(cutSpace, r) {
		return -1
	}
	return r
}
