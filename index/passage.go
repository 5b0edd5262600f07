package index

import (
	"maps"
	"math"
)

// passageLead is how much more of the question's information the best part
// must hold than the runner-up to stand out.
const passageLead = 1.5

// BestPassage returns which of parts (the items and sentences of a long
// official answer) best matches question: the part holding the most
// information of the question's terms, read with the search's own
// analysis. A term weighs its idf over the FAQ's official text times its idf over the
// parts, so that the words the whole answer shares (its topic) count less
// than those that set one part apart; the terms of topic (the entry's
// question: what the whole answer is about) set no part apart, unless
// the question holds nothing else. ok is false when no part holds any,
// or when none stands out from the next best. It only reads the index:
// which entry answers is never changed by it.
func (ix *Index) BestPassage(question, topic string, parts []string) (best int, ok bool) {
	q := ix.knownTerms(question)
	rest := maps.Clone(q)
	for _, t := range ix.passageTerms(topic) {
		delete(rest, t)
	}
	if len(rest) > 0 { // a question of only the topic's words keeps them
		q = rest
	}
	if len(q) == 0 || len(parts) < 2 {
		return -1, false
	}
	held := make([][]string, len(parts)) // the question's terms each part holds
	df := make(map[string]int)
	for i, p := range parts {
		for _, t := range ix.passageTerms(p) {
			if q[t] {
				held[i] = append(held[i], t)
				df[t]++
			}
		}
	}
	first, second := 0.0, 0.0
	best = -1
	for i := range parts {
		s := 0.0
		for _, t := range held[i] {
			// The official text's idf: the employees' examples say how
			// people ask, not which part of an answer says what.
			w := math.Log(1 + ix.nEntry/float64(max(1, ix.dfOff[t])))
			s += w * math.Log(1+float64(len(parts))/float64(df[t]))
		}
		switch {
		case s > first:
			first, second, best = s, first, i
		case s > second:
			second = s
		}
	}
	if best < 0 || first < passageLead*second {
		return -1, false
	}
	return best, true
}

// maxPassagesKept bounds the passages whose terms are kept: the parts of
// the FAQ's answers, which every answer quoting them would analyse again.
const maxPassagesKept = 4096

// passageTerms is analyzeTerms(p), kept for the FAQ's passages.
func (ix *Index) passageTerms(p string) []string {
	if ts, ok := ix.passages.Load(p); ok {
		return ts.([]string)
	}
	ts := ix.analyzeTerms(p)
	if ix.nPassages.Add(1) <= maxPassagesKept {
		ix.passages.Store(p, ts)
	}
	return ts
}

// knownTerms is the set of the terms of Terms(text) the FAQ knows (those
// without "?"), without the rest of a reading.
func (ix *Index) knownTerms(text string) map[string]bool {
	text, _ = clean(stripMentions(text))
	toks, _ := ix.analyze(text)
	q := make(map[string]bool, len(toks))
	for _, t := range toks {
		if ix.df[t.term] > 0 {
			q[t.term] = true
		}
	}
	return q
}
