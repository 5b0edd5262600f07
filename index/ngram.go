package index

import (
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

// ngramHashes appends the hashed character 3- and 4-grams of each word,
// with its boundaries (" mot "), sorted: misspelled and inflected words
// still share most of their n-grams with the word the FAQ uses.
func ngramHashes(words []string, out []uint32) []uint32 {
	var b []byte
	var starts []int
	for _, w := range words {
		b = append(append(append(b[:0], ' '), w...), ' ')
		starts = starts[:0]
		for i := range string(b) {
			starts = append(starts, i)
		}
		starts = append(starts, len(b))
		nr := len(starts) - 1
		for n := 3; n <= 4; n++ {
			for i := 0; i+n <= nr; i++ {
				h := uint32(2166136261) // FNV-1a
				for _, c := range b[starts[i]:starts[i+n]] {
					h ^= uint32(c)
					h *= 16777619
				}
				out = append(out, h)
			}
		}
	}
	slices.Sort(out)
	return out
}

// tfidf weighs sorted hashes by idf (n-grams the FAQ lacks are dropped) and
// normalises the vector to unit length.
func tfidf(hashes []uint32, idf map[uint32]float64) ngVec {
	v := make(ngVec, 0, len(hashes))
	var norm float64
	for i := 0; i < len(hashes); {
		j := i + 1
		for j < len(hashes) && hashes[j] == hashes[i] {
			j++
		}
		if w, ok := idf[hashes[i]]; ok {
			x := (1 + math.Log(float64(j-i))) * w
			v = append(v, ngw{hashes[i], x})
			norm += x * x
		}
		i = j
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for i := range v {
			v[i].w /= norm
		}
	}
	return v
}

// dotSparse is the dot product of a short vector with a long one (a
// centroid): each of a's n-grams is looked up in b by binary search, from
// where the previous one was found (a hot loop: no comparison closure).
func dotSparse(a, b ngVec) float64 {
	var s float64
	j := 0
	for _, x := range a {
		lo, hi := j, len(b) // the first of b[j:] at or after x.g
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if b[m].g < x.g {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if j = lo; j >= len(b) {
			break
		}
		if b[j].g == x.g {
			s += x.w * b[j].w
		}
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
