package index

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/qc-ia/conformbot/faq"
)

// modelVersion changes whenever the features or the training change, so
// that no model trained by older code is reused.
const modelVersion = "4"

// ContentKey identifies the content and parameters a model is trained
// from: the same key, the same model.
func ContentKey(kb *faq.KB, p Params) string {
	p = p.withDefaults()
	h := sha256.New()
	var buf []byte
	w := func(s string) { // "len:s;"
		buf = append(append(append(strconv.AppendInt(buf[:0], int64(len(s)), 10), ':'), s...), ';')
		h.Write(buf)
	}
	w(modelVersion)
	for _, f := range featureNames {
		w(f)
	}
	w(fmt.Sprintf("%+v", p.training()))
	w(extraStopWords)
	w(focusWords)
	for _, e := range kb.Entries {
		w(e.ID)
		w(e.Question)
		w(e.Answer)
		w(fmt.Sprint(len(e.Alternates), len(e.Keywords)))
		for _, s := range e.Alternates {
			w(s)
		}
		for _, s := range e.Keywords {
			w(s)
		}
	}
	for _, g := range kb.Synonyms {
		w(g.Term)
		for _, v := range g.Variants {
			w(v)
		}
	}
	for _, x := range kb.Examples {
		w(x.Entry)
		w(x.Text)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

//go:embed model.json
var defaultModel []byte

// embedded is the model trained on the embedded official FAQ (refreshed
// by go test ./index -run TestDefaultModel -update), nil when stale code
// cannot read it.
var embedded = func() *Model {
	var m Model
	if json.Unmarshal(defaultModel, &m) != nil || m.check() != nil {
		return nil
	}
	return &m
}()

func embeddedModel() *Model { return embedded }

// IsEmbeddedModel reports the model shipped with the official FAQ, which
// needs no saving.
func IsEmbeddedModel(m *Model) bool { return m != nil && m == embedded }

// maxContextSentence: longer answer sentences are not used as context.
const maxContextSentence = 300

type trainQuery struct {
	text   string
	entry  int // -1: out of scope
	h      *holdout
	weight float64
}

// trainingQueries: every phrasing of every entry, scored without itself;
// some of them again after one or two sentences of another entry's answer
// (the context an employee gives, in the FAQ's own words, belongs to other
// entries); and the labelled examples.
func (ix *Index) trainingQueries() []trainQuery {
	p := ix.params
	rng := rand.New(rand.NewPCG(p.Seed, 2))
	var sents [][]string // per entry, its answer's sentences
	for _, e := range ix.kb.Entries {
		var ss []string
		for _, sp := range sentences(e.Answer, 0) {
			// A context sentence as an employee writes one, not a page.
			if !sp.mark && sp.end-sp.start <= maxContextSentence {
				ss = append(ss, e.Answer[sp.start:sp.end])
			}
		}
		sents = append(sents, ss)
	}
	// situation is, for a share of the queries, one or two sentences of the
	// answer of an entry other than i (any entry for i < 0), to set before
	// the query: the situation an employee describes, in the FAQ's words,
	// says nothing of what is asked.
	situation := func(i int) string {
		n := len(ix.kb.Entries)
		if n < 2 || rng.Float64() >= p.ContextShare {
			return ""
		}
		ctx := ""
		for range 1 + rng.IntN(2) {
			j := rng.IntN(n)
			if i >= 0 {
				if j = rng.IntN(n - 1); j >= i {
					j++
				}
			}
			if len(sents[j]) > 0 {
				ctx += sents[j][rng.IntN(len(sents[j]))] + " "
			}
		}
		return ctx
	}
	var total int
	for _, e := range ix.kb.Entries {
		total += 1 + len(e.Alternates)
	}
	stride := max(1, (total+p.MaxTrainPhrasings-1)/p.MaxTrainPhrasings)
	var qs []trainQuery
	n := 0
	for i, e := range ix.kb.Entries {
		for k, s := range append([]string{e.Question}, e.Alternates...) {
			n++
			if n%stride != 0 {
				continue
			}
			h := &holdout{entry: i, phr: k, example: -1, terms: map[string]bool{}, vec: tfidf(ngramHashes(ix.surface(s), nil), ix.ngIDF)}
			for _, t := range ix.terms(s) {
				h.terms[t] = true
			}
			qs = append(qs, trainQuery{text: s, entry: i, h: h, weight: 1})
			if ctx := situation(i); ctx != "" {
				qs = append(qs, trainQuery{text: ctx + s, entry: i, h: h, weight: 1})
			}
		}
	}
	nth := map[int]int{} // examples seen per entry (-1: out of scope)
	for _, x := range ix.kb.Examples {
		i := -1
		if x.Entry != "" {
			var ok bool
			if i, ok = ix.byID[x.Entry]; !ok {
				continue
			}
		}
		h := &holdout{entry: i, phr: -1, example: nth[i], terms: map[string]bool{}}
		nth[i]++
		for _, t := range ix.terms(x.Text) {
			h.terms[t] = true
		}
		qs = append(qs, trainQuery{text: x.Text, entry: i, h: h, weight: p.ExampleWeight})
	}
	return qs
}

// train fits the decision on the content.
func (ix *Index) train() (*Model, error) {
	qs := ix.trainingQueries()
	type out struct {
		rows [][nFeat]float64
		y    []float64
	}
	res := make([]out, len(qs))
	var wg sync.WaitGroup
	next := make(chan int)
	var firstErr error
	var mu sync.Mutex
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for qi := range next {
				q := qs[qi]
				text, _ := clean(q.text)
				r := ix.read(text, q.h)
				cands, _, err := ix.candidates(context.Background(), &r)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					continue
				}
				if q.entry >= 0 && !slices.Contains(cands, q.entry) {
					if len(cands) == maxCandidates {
						cands = cands[:maxCandidates-1]
					}
					cands = append(cands, q.entry)
				}
				if len(cands) == 0 {
					continue
				}
				rows := make([][nFeat]float64, len(cands))
				ix.features(&r, cands, q.h, rows)
				y := make([]float64, len(cands))
				for k, c := range cands {
					if c == q.entry {
						y[k] = 1
					}
				}
				res[qi] = out{rows, y}
			}
		}()
	}
	for qi := range qs {
		next <- qi
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("index: training: %w", firstErr)
	}
	var x [][nFeat]float64
	var y, sw []float64
	groups := []int{0}
	for qi, o := range res {
		if len(o.rows) == 0 {
			continue
		}
		x = append(x, o.rows...)
		y = append(y, o.y...)
		groups = append(groups, len(x))
		sw = append(sw, qs[qi].weight)
	}
	m, err := fitConditional(x, y, groups, sw, ix.params.L2, embeddedModel())
	if err != nil {
		return nil, fmt.Errorf("index: training: %w", err)
	}
	m.Content = ContentKey(ix.kb, ix.params)
	return m, nil
}
