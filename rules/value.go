// Package rules holds the eligibility rules of directive IA-RI-2025-001-OP as
// data (facts, exceptions, verdicts, citations, scenarios) and a pure,
// three-valued engine: the facts answered so far give either the next fact to
// ask or a verdict. Only loading does I/O; evaluation never does.
package rules

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Value is one answer to a fact.
type Value string

// Answers. Unknown means the person does not know: it is final for the
// dialog, unlike a fact that has not been asked yet.
const (
	Yes     Value = "yes"
	No      Value = "no"
	Unknown Value = "unknown"
)

// Values lists the accepted values, in display order.
var Values = []Value{Yes, No, Unknown}

// Valid reports whether v is yes, no or unknown.
func (v Value) Valid() bool { return v == Yes || v == No || v == Unknown }

// Facts maps fact names to answers. A fact missing from the map has not been
// asked yet.
type Facts map[string]Value

// valueWords are the accepted answers, normalized (see normalize): the one
// list every surface reads, from typed dialog answers to `bot check --fact`.
var valueWords = map[string]Value{}

func init() {
	for v, list := range map[Value]string{
		Yes: "1|oui|o|yes|y|vrai|true|ouais|yep|exact|tout a fait|affirmatif",
		No:  "2|non|n|no|faux|false|nope|pas du tout",
		Unknown: "3|?|je ne sais pas|je sais pas|ne sais pas|sais pas|jsp|nsp|je ne le sais pas|aucune idee|" +
			"pas sur|pas certain|incertain|inconnu|inconnue|unknown|i don t know|i dont know|don t know|dont know|" +
			"idk|not sure|no idea",
	} {
		for _, w := range strings.Split(list, "|") {
			valueWords[w] = v
		}
	}
}

// ParseValue reads an answer typed by a person, in French or English:
// "oui", "non", "je ne sais pas", "yes", "no", "unknown", "I don't know",
// the choice numbers 1, 2, 3 and common short forms, whatever the case,
// accents, apostrophes and punctuation around them ("Je ne sais pas.").
func ParseValue(s string) (Value, bool) { return ParseNormalized(Normalize(s)) }

// ParseNormalized is ParseValue on text already through Normalize.
func ParseNormalized(n string) (Value, bool) {
	v, ok := valueWords[n]
	return v, ok
}

// Normalize lowercases, folds accents, and turns apostrophes and
// punctuation into single spaces ("Don't know!" reads "don t know"); a lone
// "?" is kept. The conversation's command words are matched the same way.
func Normalize(s string) string {
	if out, ok := normalizeLatin(s); ok {
		return out
	}
	return normalizeNFD(s)
}

// latinNorm is what normalizeNFD makes of each rune below U+0180: a
// lowercase letter or digit without its accents (> 0), a separator (0),
// or -1 for anything else (a letter that stays non-ASCII: ß, æ…).
var latinNorm = func() (t [0x180]int16) {
	for r := rune(0); r < 0x180; r++ {
		var kept []rune
		sep := false
		for _, x := range norm.NFD.String(strings.ToLower(string(r))) {
			switch {
			case unicode.Is(unicode.Mn, x):
			case unicode.IsLetter(x) || unicode.IsDigit(x):
				kept = append(kept, x)
			default:
				sep = true
			}
		}
		switch {
		case len(kept) == 0:
			t[r] = 0
		case len(kept) == 1 && kept[0] < 0x80 && !sep:
			t[r] = int16(kept[0])
		default:
			t[r] = -1
		}
	}
	return t
}()

// normalizeLatin is normalizeNFD for text of ASCII and Latin-1 /
// Latin Extended-A runes (most messages), without decomposing it: each
// rune maps alone, since no combining mark is present. ok is false for any
// other rune.
func normalizeLatin(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		if r >= 0x180 || latinNorm[r] < 0 {
			return "", false
		}
		c := latinNorm[r]
		if c == 0 {
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, byte(c))
	}
	if len(b) == 0 && strings.TrimSpace(s) == "?" {
		return "?", true
	}
	return string(b), true
}

func normalizeNFD(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	if b.Len() == 0 && strings.TrimSpace(s) == "?" {
		return "?"
	}
	return b.String()
}
