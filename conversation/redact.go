package conversation

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// A redaction replaces what re matches with with (a regexp template: ${1}
// keeps a cue such as « matricule »), unless keep says the match, seen in
// its context, is not personal data.
type redaction struct {
	re   *regexp.Regexp
	with string
	keep func(s string, start, end int) bool
	// kind names what it redacts, for the operator (bot report's header).
	kind [2]string // French, English
	// need is false for a text re cannot match (it lacks every literal a
	// match holds; lower is the text in lower case): most messages hold
	// nothing to redact, and the expressions are most of a fallback's cost.
	need func(s, lower string) bool
}

// hasDigit: \d is ASCII in Go's regexps.
func hasDigit(s, _ string) bool { return strings.ContainsAny(s, "0123456789") }

// anyCue reports whether lower holds one of cues (lower case). Under (?i)
// a letter matches its case variants, which strings.ToLower maps to it,
// except « ſ » for s: Redact skips the cues when the text has one.
func anyCue(cues ...string) func(s, lower string) bool {
	return func(_, lower string) bool {
		for _, c := range cues {
			if strings.Contains(lower, c) {
				return true
			}
		}
		return false
	}
}

// E-mail parts: letters of any script (prénom.nom-accentué@…, an accented
// domain), and the « (at) » / « [at] » / « (dot) » forms people use to
// dodge spam filters.
const (
	mailLocal = `[\p{L}\p{M}\p{N}._%+\-]+`
	mailAt    = `(?:\s*@\s*|\s*[(\[{]\s*(?i:at|arobase)\s*[)\]}]\s*)`
	mailDot   = `(?:\.|\s*[(\[{]\s*(?i:dot|point)\s*[)\]}]\s*)`
	mailLabel = `[\p{L}\p{M}\p{N}\-]+`
	// A name: one capitalised word (Marie, Jean-François, O'Neil).
	nameWord = `\p{Lu}[\p{L}\p{M}'’\-]*\p{L}`
)

// The order matters: e-mail addresses hold digits; an employee number is
// taken with its cue before the bare-number patterns; international phone
// numbers before North American ones, and both before social insurance
// numbers, so that a 10-digit number is not half taken as a SIN.
var redactions = []redaction{
	{re: regexp.MustCompile(mailLocal + mailAt + mailLabel + `(?:` + mailDot + mailLabel + `)*` + mailDot + `\p{L}{2,}`), with: "[courriel]", kind: [2]string{"courriels", "e-mail addresses"},
		need: func(s, _ string) bool { return strings.ContainsAny(s, "@([{") }},
	{re: regexp.MustCompile(`(?i)(\b(?:matricule|(?:n[o°º]\.?|num[ée]ro|#)\s*(?:d['’]\s*employ[ée]e?|de\s+dossier|du\s+dossier|de\s+badge)|dossier|employee\s+(?:number|no\.?|id|#)|employee|staff\s+(?:number|id)|file\s+(?:number|no\.?|#)|badge)\s*(?:n[o°º]\.?\s*|#\s*|:\s*|-\s*|(?:est|is)\s+)?)[a-z]{0,3}-?\d(?:[\d\-]*\d)?`),
		with: "${1}[numéro]", keep: func(s string, start, end int) bool { return digits(s[start:end]) < 4 }, kind: [2]string{"numéros d'employé et de dossier", "employee and file numbers"}, need: hasDigit},
	{re: regexp.MustCompile(`\+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]?\d{1,4}){2,6}\b(?:\s*(?:poste|ext\.?|x)\s*\d{1,6})?`), with: "[téléphone]",
		keep: func(s string, start, end int) bool { n := digits(s[start:end]); return n < 8 || n > 21 }, kind: [2]string{"numéros de téléphone", "phone numbers"},
		need: func(s, _ string) bool { return strings.Contains(s, "+") && hasDigit(s, "") }},
	{re: regexp.MustCompile(`(?:\b1[ .\-]?)?(?:\(\d{3}\)|\b\d{3})[ .\-]?\d{3}[ .\-]?\d{4}\b(?:\s*(?:poste|ext\.?|x)\s*\d{1,6})?`), with: "[téléphone]", keep: partOfAmount, kind: [2]string{"numéros de téléphone", "phone numbers"}, need: hasDigit},
	{re: regexp.MustCompile(`\b\d{3}[ .\-]?\d{3}[ .\-]?\d{3}\b`), with: "[NAS]", keep: partOfAmount, kind: [2]string{"NAS", "SINs"}, need: hasDigit},
	// Any other run of 7 digits or more: a file, badge or account number.
	{re: regexp.MustCompile(`\b\d{7,}\b`), with: "[numéro]", keep: partOfAmount, kind: [2]string{"longues suites de chiffres", "long digit runs"}, need: hasDigit},
	// The writer's own name, after the words that introduce it. « je
	// suis » and "I am" need a first and a last name (« je suis Analyste »
	// is a job); the explicit cues take one word.
	{re: regexp.MustCompile(`((?i:je\s+m['’]\s*appelle|mon\s+nom\s+est|my\s+name\s+is|moi,?\s+c['’]est)\s+)` + nameWord + `(?:[ \t]+` + nameWord + `){0,2}`), with: "${1}[nom]", kind: [2]string{"nom de la personne qui écrit", "the writer's own name"},
		need: anyCue("appelle", "nom", "name", "moi")},
	{re: regexp.MustCompile(`((?i:je\s+suis|i\s+am|i['’]m|ici)\s+)` + nameWord + `(?:[ \t]+` + nameWord + `){1,2}`), with: "${1}[nom]", kind: [2]string{"nom de la personne qui écrit", "the writer's own name"},
		need: anyCue("suis", "am", "i'm", "i’m", "ici")},
	// A signature: a closing word, then a name ending the message.
	{re: regexp.MustCompile(`((?i:merci|cordialement|salutations|bonne\s+journ[ée]e|thanks|thank\s+you|regards|best)[,.!]?\s+(?:-+\s*|—\s*)?)` + nameWord + `(?:[ \t]+` + nameWord + `){0,2}\s*$`), with: "${1}[nom]", kind: [2]string{"nom de la personne qui écrit", "the writer's own name"},
		need: anyCue("merci", "cordialement", "salutations", "bonne", "thank", "regards", "best")},
}

// digits counts the ASCII digits in s.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// partOfAmount says whether the digits at s[start:end] are an amount or a
// piece of a longer grouped number (« 1 250 000 000 $ »), not an identifier.
func partOfAmount(s string, start, end int) bool {
	after := strings.TrimLeft(s[end:], " \u00a0\u202f")
	if strings.HasPrefix(after, "$") || strings.HasPrefix(after, "€") ||
		strings.HasPrefix(strings.ToLower(after), "dollars") {
		return true
	}
	before := s[:start]
	if strings.HasSuffix(before, "$") || strings.HasSuffix(before, "$ ") {
		return true
	}
	// Directly after "digit + separator", or before "separator + digit".
	if n := len(before); n >= 2 && strings.ContainsRune(" .,\u00a0", rune(before[n-1])) && unicode.IsDigit(rune(before[n-2])) {
		return true
	}
	if rest := s[end:]; len(rest) >= 2 && strings.ContainsRune(" .,", rune(rest[0])) && unicode.IsDigit(rune(rest[1])) {
		return true
	}
	return false
}

// RedactedKinds lists, in lang ("fr" or "en"), every kind of data Redact
// removes, from the table itself, so that what bot report says is redacted
// is what is.
func RedactedKinds(lang string) string {
	i := 0
	if lang == LangEN {
		i = 1
	}
	var out []string
	for _, r := range redactions {
		if !slices.Contains(out, r.kind[i]) {
			out = append(out, r.kind[i])
		}
	}
	return strings.Join(out, ", ")
}

// Redact replaces, in s, e-mail addresses, phone numbers (North American
// and international), social insurance numbers (any separator), employee
// and file numbers, long digit runs and the names a writer gives as their
// own. It errs towards redacting: an unanswered question is kept to improve
// the FAQ, and needs none of these.
func Redact(s string) string { return redact(s, true) }

// redact is Redact; without cues it tries every expression on every text.
func redact(s string, cues bool) string {
	cues = cues && !strings.ContainsRune(s, 'ſ')
	lower, lowerOf := "", ""
	for _, r := range redactions {
		if cues && r.need != nil {
			if lowerOf != s {
				lower, lowerOf = strings.ToLower(s), s
			}
			if !r.need(s, lower) {
				continue
			}
		}
		if r.keep == nil {
			s = r.re.ReplaceAllString(s, r.with)
			continue
		}
		var b strings.Builder
		last := 0
		for _, m := range r.re.FindAllStringSubmatchIndex(s, -1) {
			if r.keep(s, m[0], m[1]) {
				continue
			}
			b.WriteString(s[last:m[0]])
			b.Write(r.re.ExpandString(nil, r.with, s, m))
			last = m[1]
		}
		if last > 0 {
			b.WriteString(s[last:])
			s = b.String()
		}
	}
	return s
}

// RedactNames replaces each of names (one per line) in s with [nom], then
// applies Redact.
func RedactNames(s, names string) string {
	for n := range strings.Lines(names) {
		if n = strings.TrimSpace(n); len([]rune(n)) >= 2 {
			s = strings.ReplaceAll(s, n, "[nom]")
		}
	}
	return Redact(s)
}
