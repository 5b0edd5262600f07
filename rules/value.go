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

// ParseValue reads an answer typed by a person, in French or English:
// "oui", "non", "je ne sais pas", "yes", "no", "unknown", "I don't know",
// the choice numbers 1, 2, 3 and a few common short forms.
func ParseValue(s string) (Value, bool) {
	switch normalize(s) {
	case "1", "oui", "o", "yes", "y", "vrai", "true", "ouais", "yep":
		return Yes, true
	case "2", "non", "n", "no", "faux", "false", "nope":
		return No, true
	case "3", "je ne sais pas", "jsp", "je sais pas", "ne sais pas", "sais pas", "inconnu", "inconnue",
		"aucune idee", "?", "unknown", "i don't know", "i dont know", "dont know", "don't know",
		"not sure", "idk", "pas sur", "incertain", "nsp":
		return Unknown, true
	}
	return "", false
}

// normalize lowercases, folds accents and typographic apostrophes, and trims
// spaces and final punctuation so that "Je ne sais pas." matches.
func normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("’", "'", "‘", "'", "\u00a0", " ").Replace(s)
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	s = strings.Join(strings.Fields(b.String()), " ")
	return strings.TrimRight(s, ".!")
}
