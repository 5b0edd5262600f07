package rules

import (
	"strings"
	"unicode/utf8"
)

// oneLine is a condition's text on one line, for messages.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

// position finds, in file, the line and column (in characters) of the
// byte offset col (1-based) of the condition src's text, also when the
// condition spans several lines (a | or > block, or a plain scalar
// continued on more indented lines, both joined by one character per
// line break). When name is set, the position must hold it: otherwise
// (escapes in a quoted string…) only the condition's line is returned.
func (l *loader) position(file string, src exprSrc, col int, name string) (line, column int) {
	lines := l.sources[file]
	if src.Line < 1 || src.Line > len(lines) || col < 1 {
		return src.Line, 0
	}
	keyIndent := indentOf(lines[src.Line-1])
	type segment struct{ line, start, length int } // start: byte index in the line
	var segs []segment
	first := src.Line + 1 // a block's text starts on the next line
	if !src.Block {
		start := src.Col - 1
		if src.Quoted {
			start++
		}
		if start < 0 || start > len(lines[src.Line-1]) {
			return src.Line, 0
		}
		text := strings.TrimRight(lines[src.Line-1][start:], " \t\r")
		segs = append(segs, segment{src.Line, start, len(text)})
	}
	for n := first; n <= len(lines); n++ {
		s := strings.TrimRight(lines[n-1], " \t\r")
		if strings.TrimSpace(s) == "" {
			if src.Block {
				continue
			}
			break
		}
		if indentOf(s) <= keyIndent {
			break
		}
		ind := indentOf(s)
		segs = append(segs, segment{n, ind, len(s) - ind})
	}
	off := col - 1
	for _, sg := range segs {
		if off <= sg.length {
			text := lines[sg.line-1]
			at := sg.start + off
			if at > len(text) || (name != "" && !strings.HasPrefix(text[at:], name)) {
				return src.Line, 0
			}
			return sg.line, utf8.RuneCountInString(text[:at]) + 1
		}
		off -= sg.length + 1
	}
	return src.Line, 0
}

// findWord locates the word at or after line from, else returns from.
func (l *loader) findWord(file string, from int, word string) (line, column int) {
	lines := l.sources[file]
	for n := max(from, 1); n <= len(lines) && n < from+50; n++ {
		s := lines[n-1]
		for i := 0; i+len(word) <= len(s); {
			j := strings.Index(s[i:], word)
			if j < 0 {
				break
			}
			at := i + j
			end := at + len(word)
			before, _ := utf8.DecodeLastRuneInString(s[:at])
			after, _ := utf8.DecodeRuneInString(s[end:])
			if (at == 0 || !isIdentRune(before)) && (end == len(s) || !isIdentRune(after)) {
				return n, utf8.RuneCountInString(s[:at]) + 1
			}
			i = at + 1
		}
	}
	return from, 0
}
