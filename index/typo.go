package index

import (
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"unicode/utf8"

	"github.com/qc-ia/conformbot/faq"
)

// typoIndex corrects a word one edit (insertion, deletion, substitution)
// away from a known term, by the symmetric-delete method: only deletions are
// stored, so a lookup is a handful of map reads instead of a scan of the
// vocabulary. Short words are left alone: one edit changes them too much.
type typoIndex struct {
	known   map[string]int      // term -> entries holding it
	deletes map[string][]string // term with one rune deleted -> terms
	stop    map[string]bool     // known terms that are stop words
}

const minTypoRunes = 5

func newTypoIndex(df map[string]int, stop map[string]bool) *typoIndex {
	ti := &typoIndex{known: df, deletes: map[string][]string{}, stop: stop}
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

// deletions is s with each of its runes deleted in turn. A byte that is not
// UTF-8 counts as one rune of one byte (a saved analysis may be damaged).
func deletions(s string) []string {
	out := make([]string, 0, len(s))
	for i := 0; i < len(s); {
		_, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, s[:i]+s[i+n:])
		i += n
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
		if t == w || !oneEdit(w, t) {
			return
		}
		// A stop word carries no information: correcting into one only
		// erases a word ("fêtes" is not "êtes", "ferme" not "terme"), unless
		// the word starts alike ("pourais").
		if ti.stop[t] && w[0] != t[0] {
			return
		}
		if df := ti.known[t]; df > bestDF || (df == bestDF && t < best) {
			best, bestDF = t, df
		}
	}
	// w has one extra rune: a deletion of w is known. The deletions are
	// built in one buffer: most are looked up and dropped.
	var buf [64]byte
	nw := utf8.RuneCountInString(w)
	for i := 0; i < len(w); {
		_, n := utf8.DecodeRuneInString(w[i:])
		d := append(append(buf[:0], w[:i]...), w[i+n:]...)
		i += n
		if _, ok := ti.known[string(d)]; ok {
			consider(string(d))
		}
		// substitution: same deletion on both sides.
		for _, t := range ti.deletes[string(d)] {
			if utf8.RuneCountInString(t) == nw {
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

// surfaceWords counts the words of the FAQ, its synonyms and the stop words
// as typed (lowercase, folded, without elided article): the vocabulary that
// correctTokens repairs typos against, before synonyms and stemming.
func surfaceWords(kb *faq.KB, preTokens func(string) []string) map[string]int {
	m := map[string]int{}
	add := func(s string) {
		for _, t := range preTokens(s) {
			k, _ := matchKey(t)
			m[k]++
			m[t]++
		}
	}
	for _, e := range kb.Entries {
		add(e.Question)
		add(e.Answer)
		for _, s := range e.Alternates {
			add(s)
		}
		for _, s := range e.Keywords {
			add(s)
		}
	}
	for _, g := range kb.Synonyms {
		add(g.Term)
		for _, v := range g.Variants {
			add(v)
		}
	}
	for w := range stopWords() {
		m[w]++
	}
	return m
}

// stopSet is the stop word list as a set.
func stopSet() map[string]bool {
	m := map[string]bool{}
	for w := range stopWords() {
		m[w] = true
	}
	return m
}

// correctTokens replaces each unknown word of five letters or more that is
// one edit away from a word of the FAQ ("suspention", "définiton"), so that
// synonyms and stemming then see the intended word. toks are lowercase and
// folded, as preTokens gives them.
func (ix *Index) correctTokens(toks analysis.TokenStream) {
	for _, tok := range toks {
		t := string(tok.Term)
		if _, ok := ix.words.known[t]; ok {
			continue
		}
		bare, elided := matchKey(t)
		if _, ok := ix.words.known[bare]; ok || isNumber(bare) {
			continue
		}
		// matchKey drops a plural s; correct the word as typed.
		word := t
		if elided {
			word = t[strings.IndexByte(t, '\'')+1:]
		}
		if c, ok := ix.words.correct(word); ok {
			tok.Term = []byte(t[:len(t)-len(word)] + c)
		} else if c, ok := ix.inflections[verbRoot(word)]; ok && utf8.RuneCountInString(word) >= minTypoRunes {
			tok.Term = []byte(t[:len(t)-len(word)] + c)
		}
	}
}

// verbSuffixes are French verb and participle endings (folded), longest
// first: "bloquent", "bloquer" and "bloque" share the root "bloqu".
var verbSuffixes = []string{"eraient", "eriez", "erions", "erait", "erais", "erons", "eront", "aient",
	"ions", "erez", "ees", "ent", "ons", "ait", "ais", "iez", "ies", "er", "ez", "ee", "es", "ir", "is", "it", "ie", "e", "i"}

// verbRoot strips one French verb ending, keeping at least four letters.
func verbRoot(w string) string {
	for _, suf := range verbSuffixes {
		if strings.HasSuffix(w, suf) && utf8.RuneCountInString(w)-len(suf) >= 4 {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// inflectionsOf maps the root of each known word of five letters or more
// (not a stop word) to its most frequent word, so that an unknown
// inflection of a known verb ("ils bloquent", "c'est fini") reads as the
// form the FAQ and its synonyms hold ("bloquer", "finir").
func inflectionsOf(words map[string]int, stop map[string]bool) map[string]string {
	best := map[string]string{}
	for w, n := range words {
		if stop[w] || utf8.RuneCountInString(w) < minTypoRunes || strings.ContainsAny(w, "'-") {
			continue
		}
		r := verbRoot(w)
		if b, ok := best[r]; !ok || n > words[b] || (n == words[b] && w < b) {
			best[r] = w
		}
	}
	return best
}

// oneEdit reports whether a and b are one insertion, deletion,
// substitution or swap of adjacent runes apart. Shared deletions alone also
// pair words two edits apart ("fetes" and "etees" both give "etes").
func oneEdit(a, b string) bool {
	var bufA, bufB [32]rune
	ra, rb := appendRunes(bufA[:0], a), appendRunes(bufB[:0], b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	switch len(ra) - len(rb) {
	case 0:
		var diff []int
		for i := range ra {
			if ra[i] != rb[i] {
				diff = append(diff, i)
				if len(diff) > 2 {
					return false
				}
			}
		}
		switch len(diff) {
		case 1:
			return true
		case 2:
			i, j := diff[0], diff[1]
			return j == i+1 && ra[i] == rb[j] && ra[j] == rb[i]
		}
		return false
	case 1:
		i := 0
		for i < len(rb) && ra[i] == rb[i] {
			i++
		}
		return slices.Equal(ra[i+1:], rb[i:]) // runes decoded from strings: equal as the strings
	}
	return false
}

// appendRunes is append(buf, []rune(s)...), without the conversion's
// allocation when buf holds them.
func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}
