package index

import "strings"

// passageLead is how much more of the question's information the best part
// must hold than the runner-up to stand out.
const passageLead = 1.5

// BestPassage returns which of parts (the items of a long official answer)
// best matches question: the part holding the most information (idf) of the
// question's terms, read with the search's own analysis. ok is false when
// no part holds any, or when none stands out from the next best.
func (ix *Index) BestPassage(question string, parts []string) (best int, ok bool) {
	var q []string
	for _, t := range ix.Terms(question) {
		if !strings.HasSuffix(t, "?") {
			q = append(q, t)
		}
	}
	if len(q) == 0 || len(parts) < 2 {
		return -1, false
	}
	first, second := 0.0, 0.0
	best = -1
	for i, p := range parts {
		in := make(map[string]bool)
		for _, t := range ix.analyzeTerms(p) {
			in[t] = true
		}
		s := 0.0
		for _, t := range q {
			if in[t] {
				w, _ := ix.termWeight(t, nil)
				s += w
			}
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
