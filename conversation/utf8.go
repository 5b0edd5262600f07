package conversation

import (
	"strings"
	"unicode/utf8"
)

// ValidText makes s valid UTF-8 before it reaches the engine, the store or
// a log. A stray byte from 0xA0 up is read as Latin-1, the usual source of
// such bytes (« caf\xe9 » is « café »); any other invalid byte is dropped,
// so nothing stored or shown holds « � ».
func ValidText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			if c := s[i]; c >= 0xA0 {
				b.WriteRune(rune(c))
			}
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}
