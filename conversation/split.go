package conversation

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Splitter cuts a text too long for one platform message (or block, or
// card) into pieces within Limit, preferring the coarsest boundary:
// paragraph, line, sentence, word, and only for a word longer than Limit, a
// character. Only the white space at a cut is dropped: nothing is lost.
type Splitter struct {
	Limit int
	// Len measures a text the way the platform counts its limit; it must
	// grow with the text, each character counting at least one. Nil counts
	// characters (runes). UTF16Len is
	// Discord's and Slack's count.
	Len func(string) int
	// CanCut, if set, reports whether s may be cut at byte i (Slack: never
	// inside a <url|title> link or an &entity;).
	CanCut func(s string, i int) bool
}

// UTF16Len counts UTF-16 code units, the length Slack, Teams and Discord
// check their limits against (an emoji counts two).
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

const cutSpace = " \t\r\n"

// Split returns the pieces of s, each within the limit, trimmed; nil when
// s is only white space.
func (sp Splitter) Split(s string) []string {
	size := sp.Len
	if size == nil {
		size = runeLen
	}
	var out []string
	s = strings.Trim(s, cutSpace)
	for s != "" {
		if size(s) <= sp.Limit {
			out = append(out, s)
			break
		}
		cut := sp.cut(s, sp.fit(s, size))
		if p := strings.TrimRight(s[:cut], cutSpace); p != "" {
			out = append(out, p)
		}
		s = strings.TrimLeft(s[cut:], cutSpace)
	}
	return out
}

// fit is the longest prefix of s (a byte index on a rune boundary) within
// the limit, at least one rune so that splitting always progresses.
func (sp Splitter) fit(s string, size func(string) int) int {
	// s[:lo] fits, s[:hi] does not (or is the whole); a character counts at
	// least one and takes at most four bytes.
	lo, hi := 0, min(len(s), 4*(sp.Limit+1))
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		for mid > lo && !utf8.RuneStart(s[mid]) {
			mid--
		}
		if mid == lo {
			break
		}
		if size(s[:mid]) <= sp.Limit {
			lo = mid
		} else {
			hi = mid
		}
	}
	// lo is the last known fit; step forward over runes that still fit.
	for lo < len(s) {
		_, n := utf8.DecodeRuneInString(s[lo:])
		if size(s[:lo+n]) > sp.Limit {
			break
		}
		lo += n
	}
	if lo == 0 {
		_, lo = utf8.DecodeRuneInString(s)
	}
	return lo
}

// cut chooses where to split s within its first end bytes.
func (sp Splitter) cut(s string, end int) int {
	if end >= len(s) {
		return len(s)
	}
	ok := func(i int) bool {
		return i > 0 && (sp.CanCut == nil || sp.CanCut(s, i)) // s starts with no space
	}
	last := func(sep string, after int) int {
		head := s[:end]
		for {
			i := strings.LastIndex(head, sep)
			if i < 0 {
				return -1
			}
			if ok(i + after) {
				return i + after
			}
			head = head[:i]
		}
	}
	if i := last("\n\n", 0); i > 0 {
		return i
	}
	if i := last("\n", 0); i > 0 {
		return i
	}
	// A sentence end only when it keeps the piece at least half full: a
	// cut at a space further on reads better than a stub.
	best := -1
	for _, p := range []string{". ", "! ", "? ", "; ", ": "} {
		best = max(best, last(p, 1))
	}
	if best >= end/2 {
		return best
	}
	if i := last(" ", 0); i > 0 {
		return i
	}
	for i := end; i > 0; i-- {
		if utf8.RuneStart(s[i]) && ok(i) {
			return i
		}
	}
	// Nothing may be cut (one link longer than the limit): the platform
	// refuses it whole either way, so cut it rather than lose it.
	return end
}
