package index

import "unicode/utf8"

// typoIndex corrects a word one edit (insertion, deletion, substitution)
// away from a known term, by the symmetric-delete method: only deletions are
// stored, so a lookup is a handful of map reads instead of a scan of the
// vocabulary. Short words are left alone: one edit changes them too much.
type typoIndex struct {
	known   map[string]int      // term -> entries holding it
	deletes map[string][]string // term with one rune deleted -> terms
}

const minTypoRunes = 5

func newTypoIndex(df map[string]int) *typoIndex {
	ti := &typoIndex{known: df, deletes: map[string][]string{}}
	for t := range df {
		if utf8.RuneCountInString(t) < minTypoRunes-1 {
			continue
		}
		for _, d := range deletions(t) {
			ti.deletes[d] = append(ti.deletes[d], t)
		}
	}
	return ti
}

func deletions(s string) []string {
	out := make([]string, 0, len(s))
	for i, r := range s {
		out = append(out, s[:i]+s[i+utf8.RuneLen(r):])
	}
	return out
}

// correct returns the most frequent known term one edit away from w.
func (ti *typoIndex) correct(w string) (string, bool) {
	if utf8.RuneCountInString(w) < minTypoRunes {
		return "", false
	}
	best, bestDF := "", 0
	consider := func(t string) {
		if t == w {
			return
		}
		if df := ti.known[t]; df > bestDF || (df == bestDF && t < best) {
			best, bestDF = t, df
		}
	}
	// w has one extra rune: a deletion of w is known.
	for _, d := range deletions(w) {
		if _, ok := ti.known[d]; ok {
			consider(d)
		}
		// substitution: same deletion on both sides.
		for _, t := range ti.deletes[d] {
			if utf8.RuneCountInString(t) == utf8.RuneCountInString(w) {
				consider(t)
			}
		}
	}
	// w lacks one rune: w is a deletion of a known term.
	for _, t := range ti.deletes[w] {
		consider(t)
	}
	return best, bestDF > 0
}
