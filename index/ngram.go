package index

import (
	"hash/fnv"
	"math"
	"slices"
)

// ngw is one hashed character n-gram and its weight.
type ngw struct {
	g uint32
	w float64
}

// ngVec is a unit vector of hashed character n-grams, sorted by hash so
// that every sum over it runs in one order (the same content gives the same
// model, to the bit).
type ngVec []ngw

// ngramsOf adds the character 3- and 4-grams of each word, with its
// boundaries (" mot "), to counts: misspelled and inflected words still
// share most of their n-grams with the word the FAQ uses.
func ngramsOf(words []string, counts map[uint32]float64) {
	for _, w := range words {
		r := []rune(" " + w + " ")
		for n := 3; n <= 4; n++ {
			for i := 0; i+n <= len(r); i++ {
				h := fnv.New32a()
				_, _ = h.Write([]byte(string(r[i : i+n])))
				counts[h.Sum32()]++
			}
		}
	}
}

// tfidf weighs counts by idf (n-grams the FAQ lacks are dropped) and
// normalises the vector to unit length.
func tfidf(counts map[uint32]float64, idf map[uint32]float64) ngVec {
	v := make(ngVec, 0, len(counts))
	for g, c := range counts {
		if w, ok := idf[g]; ok {
			v = append(v, ngw{g, (1 + math.Log(c)) * w})
		}
	}
	slices.SortFunc(v, func(a, b ngw) int {
		switch {
		case a.g < b.g:
			return -1
		case a.g > b.g:
			return 1
		}
		return 0
	})
	var norm float64
	for _, x := range v {
		norm += x.w * x.w
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for i := range v {
			v[i].w /= norm
		}
	}
	return v
}

// dotMap is the dot product of v with a centroid.
func dotMap(v ngVec, c map[uint32]float64) float64 {
	var s float64
	for _, x := range v {
		s += x.w * c[x.g]
	}
	return s
}

// dotVec is the dot product of two vectors.
func dotVec(a, b ngVec) float64 {
	var s float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].g < b[j].g:
			i++
		case a[i].g > b[j].g:
			j++
		default:
			s += a[i].w * b[j].w
			i++
			j++
		}
	}
	return s
}
