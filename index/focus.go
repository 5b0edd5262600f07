package index

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed focus.txt
var focusWords string

// questionOpeners is the set of words that open a question (focus.txt).
var questionOpeners = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(focusWords, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(line) {
			m[fold(strings.ToLower(w))] = true
		}
	}
	return m
}()

// span is a sentence of a message, as byte offsets into it.
type span struct {
	start, end int
	asks       bool // ends with "?" or opens with a question word
	mark       bool // ends with "?"
}

// sentences cuts text into sentences at . ! ? ; … and line breaks. A dot
// between two letters or digits ("ia.gouv", "2.0") does not end a sentence.
// With clauseWords > 0, a comma before a space also ends one that already
// holds that many words: a run-on message ("je travaille dans un CHU et
// ici tout le monde pense que…, alors… est-ce que ça inclut…?") is read as
// clauses, so that its question is found apart from its context.
func sentences(text string, clauseWords int) []span {
	var out []span
	start, words, inWord := 0, 0, false
	flush := func(end int, mark bool) {
		s := strings.TrimSpace(text[start:end])
		if s != "" {
			sp := span{start: start, end: end, mark: mark}
			sp.asks = mark || opensQuestion(s)
			out = append(out, sp)
		}
	}
	for i, r := range text {
		if sp := unicode.IsSpace(r); sp == inWord {
			inWord = !sp
			if inWord {
				words++
			}
		}
		switch r {
		case '?', '!', ';', '\n', '…':
		case ',':
			next, _ := utf8.DecodeRuneInString(text[i+1:])
			if clauseWords <= 0 || words < clauseWords || !unicode.IsSpace(next) {
				continue
			}
		case '.':
			next, _ := utf8.DecodeRuneInString(text[i+1:])
			if i+1 < len(text) && !unicode.IsSpace(next) {
				continue
			}
		default:
			continue
		}
		end := i + utf8.RuneLen(r)
		// Runs of ?!. close one sentence.
		for end < len(text) && strings.ContainsRune("?!.", rune(text[end])) {
			end++
		}
		if end <= start {
			continue
		}
		flush(end, strings.ContainsRune(text[i:end], '?'))
		start, words = end, 0
	}
	if start < len(text) {
		flush(len(text), false)
	}
	return out
}

// opensQuestion reports a sentence whose first word opens a question.
func opensQuestion(s string) bool {
	w := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ':' })
	if len(w) == 0 {
		return false
	}
	first := fold(strings.ToLower(strings.Trim(w[0], "«»\"()[]")))
	if questionOpeners[first] {
		return true
	}
	// Elided forms: "qu'est-ce", "c'est".
	if i := strings.IndexAny(first, "'’"); i > 0 && questionOpeners[first[:i+1]+strings.SplitN(first[i+1:], "-", 2)[0]] {
		return true
	}
	return false
}

// stripMentions blanks @mentions ("@julie", "@Marc-André"): they name a
// colleague, never the topic.
func stripMentions(text string) string {
	if !strings.ContainsRune(text, '@') {
		return text
	}
	b := []byte(text)
	for i := 0; i < len(b); i++ {
		if b[i] != '@' || (i > 0 && !isSpaceByte(b[i-1])) {
			continue
		}
		j := i + 1
		for j < len(b) {
			r, n := utf8.DecodeRune(b[j:])
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.') {
				break
			}
			j += n
		}
		for k := i; k < j; k++ {
			b[k] = ' '
		}
		i = j
	}
	return string(b)
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
