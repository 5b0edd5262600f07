package index

import (
	"math"
	"slices"
)

// ngw is one hashed character n-gram and its weight; id numbers the
// n-grams of the FAQ's phrasings (ngInfo), for their postings.
type ngw struct {
	g  uint32
	id int32
	w  float64
}

// ngInfo is what the index knows of an n-gram of its phrasings.
type ngInfo struct {
	idf float64
	id  int32
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
func tfidf(hashes []uint32, idf map[uint32]ngInfo) ngVec {
	v := make(ngVec, 0, len(hashes))
	var norm float64
	for i := 0; i < len(hashes); {
		j := i + 1
		for j < len(hashes) && hashes[j] == hashes[i] {
			j++
		}
		if in, ok := idf[hashes[i]]; ok {
			x := (1 + math.Log(float64(j-i))) * in.idf
			v = append(v, ngw{g: hashes[i], id: in.id, w: x})
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

// maxPostingEntries bounds the FAQs whose centroids are inverted
// (ngPostings): the candidates' set is a bitset on the stack, and a large
// FAQ would hold its centroids twice.
const (
	maxPostingEntries = 4096
	maxPostings       = 1 << 20
)

// ngPostings inverts the centroids: for each n-gram (by id), the entries
// whose centroid holds it, in entry order, with its weight there. One pass
// over a message's n-grams then gives its dot product with every candidate,
// each sum taken in the same order as dotSparse takes it.
type ngPostings struct {
	off   []int32 // postings of n-gram id: off[id]..off[id+1]
	entry []int32
	w     []float64
}

func newNgPostings(entries []entryStats, nGrams int) *ngPostings {
	total := 0
	for i := range entries {
		total += len(entries[i].cent)
	}
	if len(entries) > maxPostingEntries || total > maxPostings {
		return nil
	}
	p := &ngPostings{off: make([]int32, nGrams+1), entry: make([]int32, total), w: make([]float64, total)}
	for i := range entries {
		for _, x := range entries[i].cent {
			p.off[x.id+1]++
		}
	}
	for id := range nGrams {
		p.off[id+1] += p.off[id]
	}
	next := slices.Clone(p.off[:nGrams])
	for i := range entries {
		for _, x := range entries[i].cent {
			k := next[x.id]
			next[x.id]++
			p.entry[k], p.w[k] = int32(i), x.w
		}
	}
	return p
}

// ngramDots sets out[k] to dotSparse(v.vec, centroid of cands[k]), from
// the postings when they are cheaper to walk than the centroids to search.
func (ix *Index) ngramDots(v *view, cands []int, out []float64) {
	p := ix.ngPost
	work := 0
	if p != nil {
		for _, x := range v.vec {
			work += int(p.off[x.id+1] - p.off[x.id])
		}
	}
	if p == nil || work > 8*len(cands)*len(v.vec) {
		for k, i := range cands {
			out[k] = dotSparse(v.vec, ix.entries[i].cent)
		}
		return
	}
	var in [maxPostingEntries / 64]uint64
	for _, i := range cands {
		in[i>>6] |= 1 << (i & 63)
	}
	clear(out)
	for _, x := range v.vec {
		for j := p.off[x.id]; j < p.off[x.id+1]; j++ {
			e := int(p.entry[j])
			if in[e>>6]&(1<<(e&63)) == 0 {
				continue
			}
			for k, i := range cands {
				if i == e {
					out[k] += x.w * p.w[j]
					break
				}
			}
		}
	}
}
