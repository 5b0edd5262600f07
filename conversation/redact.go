package conversation

import "regexp"

// Patterns of personal data that must not be kept with an unanswered
// question. Phone numbers are matched before social insurance numbers so
// that a 10-digit number is not half taken as a SIN.
var redactions = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}`), "[courriel]"},
	{regexp.MustCompile(`(?:\+?1[ .\-]?)?(?:\(\d{3}\)|\b\d{3})[ .\-]?\d{3}[ .\-]?\d{4}\b(?:\s*(?:poste|ext\.?|x)\s*\d{1,6})?`), "[téléphone]"},
	{regexp.MustCompile(`\b\d{3}[ \-]?\d{3}[ \-]?\d{3}\b`), "[NAS]"},
}

// Redact replaces e-mail addresses, phone numbers and social insurance
// numbers (9 digits, optionally grouped by spaces or dashes) in s.
func Redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}
