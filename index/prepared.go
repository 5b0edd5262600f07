package index

import (
	"encoding/binary"
	"errors"
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/qc-ia/conformbot/faq"
)

// Analysis is the FAQ's texts as the analysis chain reads them: for each
// text, its terms (the whole chain, repeats kept, as Bleve indexes them)
// and its words before the synonyms (typo repair and n-grams). It is most
// of what New costs on a small FAQ, and depends only on the content and on
// the program: give an index's Analysis back to New (Options.Analysis) to
// skip it for the same content. The chain is code, so an Analysis is only
// valid for the build of the program that made it: keep it per executable.
type Analysis struct {
	content         string   // ContentKey of what was analysed
	vocab           []string // every term and word, once
	terms, pre      []int32  // vocabulary ids, text after text
	termEnd, preEnd []int32  // where each text's ids end
}

// analysedTexts lists the texts New analyses, in a fixed order: an
// Analysis holds them by position.
func analysedTexts(kb *faq.KB) []string {
	var texts []string
	for _, e := range kb.Entries {
		texts = append(append(append(texts, e.Question, e.Answer), e.Alternates...), e.Keywords...)
	}
	for _, x := range kb.Examples {
		texts = append(texts, x.Text)
	}
	for _, g := range kb.Synonyms {
		texts = append(append(texts, g.Term), g.Variants...)
	}
	return texts
}

// analyse runs the chain on every text, on all cores.
func analyse(chain *analysis.DefaultAnalyzer, texts []string) *Analysis {
	full, pre := make([][]string, len(texts)), make([][]string, len(texts))
	n := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(texts); i += n {
				// DefaultAnalyzer.Analyze, step by step, to keep the words
				// before the synonyms (it has no char filters).
				toks := chain.Tokenizer.Tokenize([]byte(texts[i]))
				for _, f := range chain.TokenFilters[:nPreFilters] {
					toks = f.Filter(toks)
				}
				pre[i] = make([]string, len(toks))
				for k, t := range toks {
					pre[i][k] = string(t.Term)
				}
				for _, f := range chain.TokenFilters[nPreFilters:] {
					toks = f.Filter(toks)
				}
				full[i] = make([]string, len(toks))
				for k, t := range toks {
					full[i][k] = string(t.Term)
				}
			}
		}()
	}
	wg.Wait()
	a := &Analysis{termEnd: make([]int32, len(texts)), preEnd: make([]int32, len(texts))}
	ids := map[string]int32{}
	id := func(s string) int32 {
		k, ok := ids[s]
		if !ok {
			k = int32(len(a.vocab))
			ids[s] = k
			a.vocab = append(a.vocab, s)
		}
		return k
	}
	for i := range texts {
		for _, t := range full[i] {
			a.terms = append(a.terms, id(t))
		}
		for _, t := range pre[i] {
			a.pre = append(a.pre, id(t))
		}
		a.termEnd[i], a.preEnd[i] = int32(len(a.terms)), int32(len(a.pre))
	}
	return a
}

// memo turns an Analysis back into each text's terms and words.
func (a *Analysis) memo(texts []string) (full, pre map[string][]string) {
	words := func(ids []int32) []string {
		out := make([]string, len(ids))
		for k, id := range ids {
			out[k] = a.vocab[id]
		}
		return out
	}
	allFull, allPre := words(a.terms), words(a.pre)
	full, pre = make(map[string][]string, len(texts)), make(map[string][]string, len(texts))
	var t0, p0 int32
	for i, s := range texts {
		full[s] = allFull[t0:a.termEnd[i]:a.termEnd[i]]
		pre[s] = allPre[p0:a.preEnd[i]:a.preEnd[i]]
		t0, p0 = a.termEnd[i], a.preEnd[i]
	}
	return full, pre
}

// Analysis returns what New analysed, to be saved (MarshalBinary) and given
// back to New for the same content.
func (ix *Index) Analysis() *Analysis { return ix.analysis }

const analysisMagic = "conformbot-analysis-1\n"

// MarshalBinary encodes the analysis.
func (a *Analysis) MarshalBinary() ([]byte, error) {
	b := []byte(analysisMagic)
	b = binary.AppendUvarint(b, uint64(len(a.content)))
	b = append(b, a.content...)
	b = binary.AppendUvarint(b, uint64(len(a.vocab)))
	for _, s := range a.vocab {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, l := range [][]int32{a.terms, a.termEnd, a.pre, a.preEnd} {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, x := range l {
			b = binary.AppendUvarint(b, uint64(x))
		}
	}
	return b, nil
}

var errBadAnalysis = errors.New("index: not an analysis")

// UnmarshalBinary decodes what MarshalBinary encoded, checking its shape
// (not its content: New reuses it only for the content it was made from).
func (a *Analysis) UnmarshalBinary(b []byte) error {
	if len(b) < len(analysisMagic) || string(b[:len(analysisMagic)]) != analysisMagic {
		return errBadAnalysis
	}
	b = b[len(analysisMagic):]
	next := func() (int, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 || x > uint64(len(b))*8+1<<20 {
			return 0, false
		}
		b = b[n:]
		return int(x), true
	}
	str := func() (string, bool) {
		n, ok := next()
		if !ok || n > len(b) {
			return "", false
		}
		s := string(b[:n])
		b = b[n:]
		return s, true
	}
	var out Analysis
	var ok bool
	if out.content, ok = str(); !ok {
		return errBadAnalysis
	}
	nv, ok := next()
	if !ok || nv > len(b) {
		return errBadAnalysis
	}
	out.vocab = make([]string, nv)
	for i := range out.vocab {
		if out.vocab[i], ok = str(); !ok {
			return errBadAnalysis
		}
	}
	lists := []*[]int32{&out.terms, &out.termEnd, &out.pre, &out.preEnd}
	for _, l := range lists {
		n, ok := next()
		if !ok || n > len(b) {
			return errBadAnalysis
		}
		*l = make([]int32, n)
		for i := range *l {
			x, ok := next()
			if !ok || x > 1<<31-1 {
				return errBadAnalysis
			}
			(*l)[i] = int32(x)
		}
	}
	if len(b) != 0 || len(out.termEnd) != len(out.preEnd) {
		return errBadAnalysis
	}
	for _, x := range append(append([]int32{}, out.terms...), out.pre...) {
		if int(x) >= nv {
			return errBadAnalysis
		}
	}
	for k, ends := range [][]int32{out.termEnd, out.preEnd} {
		prev, total := int32(0), len(out.terms)
		if k == 1 {
			total = len(out.pre)
		}
		for _, e := range ends {
			if e < prev {
				return errBadAnalysis
			}
			prev = e
		}
		if len(ends) > 0 && int(prev) != total || len(ends) == 0 && total != 0 {
			return errBadAnalysis
		}
	}
	*a = out
	return nil
}

// chainName is the analyzer type of the index's chain: Bleve's custom
// analyzer, which while the index is built reads each text's terms from
// New's analysis instead of analysing it again.
const chainName = "conformbot_chain"

func init() {
	registry.RegisterAnalyzer(chainName, func(config map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		a, err := custom.AnalyzerConstructor(config, cache)
		if err != nil {
			return nil, err
		}
		d, ok := a.(*analysis.DefaultAnalyzer)
		if !ok {
			return nil, errors.New("index: custom analyzer is not a chain")
		}
		return &memoAnalyzer{DefaultAnalyzer: d}, nil
	})
}

// memoAnalyzer is the chain, but for the texts in memo (set only while the
// documents are indexed).
type memoAnalyzer struct {
	*analysis.DefaultAnalyzer
	memo map[string][]string
}

func (m *memoAnalyzer) Analyze(input []byte) analysis.TokenStream {
	terms, ok := m.memo[string(input)]
	if !ok {
		return m.DefaultAnalyzer.Analyze(input)
	}
	// Without term vectors, Bleve reads only the terms and their number.
	toks := make([]analysis.Token, len(terms))
	out := make(analysis.TokenStream, len(terms))
	for k, t := range terms {
		toks[k] = analysis.Token{Term: []byte(t), Position: k + 1, Type: analysis.AlphaNumeric}
		out[k] = &toks[k]
	}
	return out
}
