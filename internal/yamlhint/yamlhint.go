// Package yamlhint turns a YAML parser's message into one an editor of the
// content files can act on, in French and English, and points at the line
// most likely at fault when the parser stops further down.
package yamlhint

import (
	"fmt"
	"strings"
)

const prefix = "YAML invalide / invalid YAML: "

// Explain returns the line to report and the message for a parse error the
// parser placed at line (1-based) of src.
func Explain(src []byte, line int, msg string) (int, string) {
	lines := strings.Split(string(src), "\n")
	// An unclosed double quote swallows the lines after it: the parser
	// stops at the next quote, far below. The first line that opens a
	// quote without closing it is the one to fix.
	for i := 0; i < len(lines) && (line <= 0 || i < line); i++ {
		if unclosedQuote(lines[i]) {
			return i + 1, fmt.Sprintf(prefix+"guillemet « \" » non fermé à la ligne %d ? / unclosed double quote on line %d? (%s)", i+1, i+1, msg)
		}
	}
	low := strings.ToLower(msg)
	var hint string
	switch {
	case strings.Contains(low, "tab"):
		hint = "tabulation : indentez avec des espaces / tab character: indent with spaces"
	case strings.Contains(low, "already defined") || strings.Contains(low, "duplicate"):
		hint = "clé en double dans le même bloc / duplicate key in the same block"
	case strings.Contains(low, "not allowed in this context") || strings.Contains(low, "pre-defined") ||
		strings.Contains(low, "unexpected key") || strings.Contains(low, "non-map value"):
		hint = fmt.Sprintf("indentation : la ligne %d est-elle plus à droite (ou à gauche) que la clé au-dessus, "+
			"ou une valeur contient-elle « : » sans guillemets ? / indentation: is line %d indented more (or less) than the key above, "+
			"or does a value hold \": \" without quotes?", line, line)
	case strings.Contains(low, "sequence end") || strings.Contains(low, "']'"):
		hint = "crochet « [ » non fermé / unclosed \"[\""
	case strings.Contains(low, "mapping end") || strings.Contains(low, "'}'"):
		hint = "accolade « { » non fermée / unclosed \"{\""
	default:
		return line, prefix + msg
	}
	return line, prefix + hint + " (" + msg + ")"
}

// unclosedQuote reports a line whose value opens a double-quoted string it
// does not close. Comments, block scalars' text and quotes inside single
// quotes are not YAML quotes.
func unclosedQuote(l string) bool {
	t := strings.TrimLeft(l, " ")
	if strings.HasPrefix(t, "#") {
		return false
	}
	in, single := false, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"' && !single:
			// Only a quote that starts a scalar opens a string: after ": ",
			// "- ", "[", ", " or at the start.
			if !in {
				prev := strings.TrimRight(t[:i], " ")
				if prev != "" && !strings.HasSuffix(prev, ":") && !strings.HasSuffix(prev, "-") &&
					!strings.HasSuffix(prev, "[") && !strings.HasSuffix(prev, ",") {
					continue
				}
			}
			in = !in
		case c == '\'' && single && i+1 < len(t) && t[i+1] == '\'':
			i++ // '' is a quote inside single quotes
		case c == '\'' && !in:
			prev := strings.TrimRight(t[:i], " ")
			if single || prev == "" || strings.HasSuffix(prev, ":") || strings.HasSuffix(prev, "-") {
				single = !single
			}
		case c == '#' && !in && !single && i > 0 && t[i-1] == ' ':
			return false
		}
	}
	return in
}
