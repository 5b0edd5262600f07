package index

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"unicode/utf8"
)

// entryStats is what the evidence needs of one entry: where each term of
// the question side occurs, its answer's terms, and the centroid of its
// phrasings' character n-grams.
type entryStats struct {
	terms  map[string]*termStat
	nPhr   int
	nEx    int
	exLen  []int32 // terms of each example
	cent   ngVec   // sum of the phrasings' n-gram vectors
	centN2 float64 // its squared norm
}

// termStat is where one term occurs in one entry (one map per entry: a
// large FAQ builds millions of them).
type termStat struct {
	strong, alt, ex int32   // question and keywords, alternates, examples holding it
	occ             int32   // items (question, alternates, keywords, answer, examples) holding it
	answer          bool    // in the answer
	post            []int32 // phrasings holding it (0: question, then alternates)
	expost          []int32 // examples holding it
}

var noTerm termStat

func (st *entryStats) term(t string) *termStat {
	if ts, ok := st.terms[t]; ok {
		return ts
	}
	return &noTerm
}

func (st *entryStats) add(t string) *termStat {
	ts, ok := st.terms[t]
	if !ok {
		ts = &termStat{}
		st.terms[t] = ts
	}
	return ts
}

// holdout removes one phrasing or example from the evidence, as if the FAQ
// did not hold it: the decision is trained on messages it cannot see.
type holdout struct {
	entry   int // -1: an out-of-scope example
	phr     int // 0: the official question; k: alternate k-1 (-1: an example)
	example int // index among the entry's examples (or the out-of-scope ones), -1: a phrasing
	terms   map[string]bool
	vec     ngVec // of a phrasing
}

// qterm is a term of a question and the information it carries.
type qterm struct {
	term    string
	weight  float64
	share   float64
	unknown bool
	wi      int32 // its place among the whole message's terms
}

// qtok is an analyzed token of a message and where it starts.
type qtok struct {
	term  string
	share float64 // a synonym phrase's terms share its weight
	start int
	wi    int32 // its term's place among the whole message's terms
}

// view is one reading of a message: the whole of it, or one sentence.
type view struct {
	terms []qterm
	total float64 // information of all its terms
	unk   float64 // share of it in words the FAQ does not know
	known float64 // shares of its known terms
	oosNB float64 // mean term log-ratio of the out-of-scope examples
	vec   ngVec
	n     int // terms
	nUnk  int // unknown terms
}

func (ix *Index) makeView(toks []qtok, words []qtok, start, end int, h *holdout, ngrams bool) view {
	var v view
	// A short view finds its repeats by scanning its terms, a long one by
	// a set.
	var seen map[string]bool
	if len(toks) > 32 {
		seen = map[string]bool{}
	}
	var oosShares float64
	for _, t := range toks {
		if t.start < start || t.start >= end {
			continue
		}
		if seen != nil {
			if seen[t.term] {
				continue
			}
			seen[t.term] = true
		} else if slices.ContainsFunc(v.terms, func(q qterm) bool { return q.term == t.term }) {
			continue
		}
		ti := ix.termInfo(t.term, h)
		q := qterm{term: t.term, weight: ti.w * t.share, share: t.share, unknown: ti.unknown, wi: t.wi}
		v.terms = append(v.terms, q)
		v.total += q.weight
		if q.unknown {
			v.unk += q.weight
			v.nUnk++
			if ti.noItem {
				continue // a word of no item: the unknown-word evidence
			}
		} else {
			v.known += q.share
		}
		v.oosNB += q.share * ti.lr
		oosShares += q.share
	}
	if oosShares > 0 {
		v.oosNB /= oosShares
	}
	if v.total > 0 {
		v.unk /= v.total
	}
	v.n = len(v.terms)
	if !ngrams {
		return v
	}
	var ws []string
	for _, w := range words {
		if w.start >= start && w.start < end {
			ws = append(ws, w.term)
		}
	}
	v.vec = tfidf(ngramHashes(ws, nil), ix.ngIDF)
	return v
}

// termInfo is what a view needs of one of its terms: its weight
// (termWeight), whether the FAQ knows it, and its log-ratio in the
// out-of-scope examples (noItem: an unknown word no item holds, which has
// none).
type termInfo struct {
	w, lr           float64
	unknown, noItem bool
}

// termInfo is computeTermInfo, read from the table of the FAQ's terms when
// nothing is held out.
func (ix *Index) termInfo(t string, h *holdout) termInfo {
	if h != nil {
		return ix.computeTermInfo(t, h)
	}
	if ti, ok := ix.infos[t]; ok {
		return ti
	}
	return ix.noInfo
}

func (ix *Index) computeTermInfo(t string, h *holdout) termInfo {
	var ti termInfo
	ti.w, ti.unknown = ix.termWeight(t, h)
	nOOS := float64(ix.nOOS)
	c := float64(len(ix.oosPost[t]))
	if h != nil && h.entry < 0 {
		nOOS--
		if h.terms[t] {
			c--
		}
	}
	if ti.unknown && c <= 0 {
		ti.noItem = true
		return ti
	}
	all, n := ix.itemsHolding(t, h)
	ti.lr = ix.logRatio(c, nOOS, all, n)
	return ti
}

// termWeight is the information of a term (idf over entries); a word the
// FAQ does not know carries Params.UnknownWeight times as much as a word of
// a single entry.
func (ix *Index) termWeight(t string, h *holdout) (float64, bool) {
	df := ix.df[t]
	if h != nil && h.terms[t] {
		if ix.totalOcc[t] == 1 {
			df = 0
		} else if h.entry >= 0 && ix.entries[h.entry].term(t).occ == 1 {
			df--
		}
	}
	if df <= 0 {
		return ix.params.UnknownWeight * math.Log(1+ix.nEntry), true
	}
	return math.Log(1 + ix.nEntry/float64(df)), false
}

// Evidence of one entry for one view, each a share of the view's
// information (0..1) but the n-gram similarity (a cosine).
type viewEvidence struct {
	full   float64 // in the entry's question, keywords or two alternates or more
	ans    float64 // only in its answer
	alt1   float64 // only in a single alternate: weak, an employee's incidental word
	phr    float64 // in its single closest phrasing
	ngram  float64 // character n-gram similarity with its phrasings' centroid
	exAny  float64 // in one of its labelled examples, and not in full
	exBest float64 // in its single closest example
	nb     float64 // mean log-ratio of the view's known terms (logRatio)
}

// itemsHolding is how many items of the content hold t, and how many items
// there are, without the held-out one.
func (ix *Index) itemsHolding(t string, h *holdout) (float64, float64) {
	all, n := float64(ix.itemsWith[t]), ix.nItems
	if h != nil {
		n--
		if h.terms[t] {
			all--
		}
	}
	return all, n
}

// logRatio is how much likelier an item of a class (c of its n items hold
// the term) holds a term than an item outside it (all of n in all do), in
// log, smoothed: naive Bayes evidence, learned from the content, that a
// word points to an entry or away from it.
func (ix *Index) logRatio(c, n, all, nAll float64) float64 {
	a := ix.params.Smoothing
	return math.Log((c+a)/(n+2*a)) - math.Log((all-c+a)/(nAll-n+2*a))
}

func (ix *Index) evidence(i int, v *view, h *holdout, acc []float64) viewEvidence {
	return ix.evidenceDot(i, v, h, acc, dotSparse(v.vec, ix.entries[i].cent), nil)
}

// entryTerms is, for one candidate, what evidence reads of each term of
// the whole message (by qterm.wi), kept for its other views: the term's
// statistics in the entry and its log-ratio there.
type entryTerms struct {
	ts []*termStat // nil: not read yet
	lr []float64
}

// evidenceDot is evidence, given the dot product of the view's n-grams with
// the entry's centroid (ngramDots), and the candidate's entryTerms (nil:
// none kept).
func (ix *Index) evidenceDot(i int, v *view, h *holdout, acc []float64, dot float64, et *entryTerms) viewEvidence {
	var e viewEvidence
	if v.total == 0 {
		return e
	}
	st := &ix.entries[i]
	own := h != nil && h.entry == i
	ownPhr, ownEx := own && h.phr >= 0, own && h.example >= 0
	exAcc := acc[st.nPhr : st.nPhr+st.nEx]
	exCnt := acc[st.nPhr+st.nEx : st.nPhr+2*st.nEx]
	clear(acc[:st.nPhr+2*st.nEx])
	nOwn := float64(st.nPhr + st.nEx)
	if own {
		nOwn--
	}
	best, exBest := 0.0, 0.0
	for _, t := range v.terms {
		if t.unknown {
			continue
		}
		var ts *termStat
		var lr float64
		if et != nil && et.ts[t.wi] != nil {
			ts, lr = et.ts[t.wi], et.lr[t.wi]
		} else {
			ts = st.term(t.term)
			c := float64(len(ts.post)) + float64(ts.ex)
			if own && h.terms[t.term] {
				c--
			}
			all, n := ix.itemsHolding(t.term, h)
			lr = ix.logRatio(c, nOwn, all, n)
			if et != nil {
				et.ts[t.wi], et.lr[t.wi] = ts, lr
			}
		}
		e.nb += t.share * lr
		strong, alt, ex := ts.strong, ts.alt, ts.ex
		if own && h.terms[t.term] {
			switch {
			case h.phr == 0:
				strong--
			case h.phr > 0:
				alt--
			default:
				ex--
			}
		}
		switch {
		case strong > 0 || alt > 1:
			e.full += t.weight
		case ts.answer:
			e.ans += t.weight
		case alt == 1:
			e.alt1 += t.weight
		case ex > 0:
			e.exAny += t.weight
		}
		// Weights are positive: a sum only grows, so the largest sum is
		// the largest value any of them takes on the way.
		for _, p := range ts.post {
			acc[p] += t.weight
			if !(ownPhr && int(p) == h.phr) {
				best = max(best, acc[p])
			}
		}
		for _, x := range ts.expost {
			exAcc[x] += t.weight
			exCnt[x]++
			// An example is as close as it is covered too: a long message
			// that holds a short question's words is not that question.
			if !(ownEx && int(x) == h.example) {
				exBest = max(exBest, exAcc[x]*math.Sqrt(exCnt[x]/float64(st.exLen[x])))
			}
		}
	}
	e.full /= v.total
	e.ans /= v.total
	e.alt1 /= v.total
	e.exAny /= v.total
	e.phr = best / v.total
	e.exBest = exBest / v.total
	if v.known > 0 {
		e.nb /= v.known
	}
	// Cosine with the centroid, without the held-out phrasing.
	num, n2 := dot, st.centN2
	if ownPhr {
		cv := dotSparse(h.vec, st.cent)
		num -= dotVec(v.vec, h.vec)
		n2 += 1 - 2*cv
	}
	if n2 > 1e-12 {
		e.ngram = max(0, num/math.Sqrt(n2))
	}
	return e
}

// oosSimilarity is the share of the view's information found in its
// closest out-of-scope example.
func (ix *Index) oosSimilarity(v *view, h *holdout, acc []float64) float64 {
	if v.total == 0 || ix.nOOS == 0 {
		return 0
	}
	cnt := acc[ix.nOOS : 2*ix.nOOS]
	acc = acc[:ix.nOOS]
	clear(acc)
	clear(cnt)
	for _, t := range v.terms {
		if !t.unknown {
			for _, x := range ix.oosPost[t.term] {
				acc[x] += t.weight
				cnt[x]++
			}
		}
	}
	best := 0.0
	for x, w := range acc {
		if !(h != nil && h.entry < 0 && h.example == x) && w > 0 {
			best = max(best, w*math.Sqrt(cnt[x]/float64(ix.oosLen[x])))
		}
	}
	return best / v.total
}

// Features, in this order; see featureNames.
const (
	nViewFeat = 18
	nFeat     = 2*nViewFeat + 4
)

// featureNames documents the decision's inputs, for each candidate entry:
// for the whole message (w_) and for its question sentence (q_), the
// evidence above, its margin over the best other candidate, and the share
// of unknown words; then the best single sentence, whether the question is
// the whole message, and the message's length.
var featureNames = [nFeat]string{
	"w_full", "w_ans", "w_alt1", "w_phr", "w_ngram", "w_full_margin", "w_phr_margin", "w_ngram_margin", "w_unknown", "w_unknown_words", "w_phr_known", "w_example_any", "w_example_best", "w_out_of_scope", "w_out_of_scope_margin", "w_nb", "w_nb_margin", "w_nb_out_of_scope",
	"q_full", "q_ans", "q_alt1", "q_phr", "q_ngram", "q_full_margin", "q_phr_margin", "q_ngram_margin", "q_unknown", "q_unknown_words", "q_phr_known", "q_example_any", "q_example_best", "q_out_of_scope", "q_out_of_scope_margin", "q_nb", "q_nb_margin", "q_nb_out_of_scope",
	"s_phr", "s_full", "q_is_whole", "log_terms",
}

// reading is a message analysed for the decision: the whole, its question
// sentence and every sentence.
type reading struct {
	whole, question view
	sentences       []view
	qIsWhole        bool
}

// read analyses a cleaned message.
func (ix *Index) read(text string, h *holdout) reading {
	toks, words := ix.analyze(text)
	numberTerms(toks)
	var r reading
	r.whole = ix.makeView(toks, words, 0, len(text), h, true)
	spans := sentences(text, ix.params.ClauseWords)
	q := -1
	for k := len(spans) - 1; k >= 0 && q < 0; k-- {
		if spans[k].mark {
			q = k
		}
	}
	for k := len(spans) - 1; k >= 0 && q < 0; k-- {
		if spans[k].asks {
			q = k
		}
	}
	for _, sp := range spans {
		r.sentences = append(r.sentences, ix.makeView(toks, words, sp.start, sp.end, h, false))
	}
	for k := len(spans) - 1; k >= 0 && q < 0; k-- {
		if r.sentences[k].n > 0 {
			q = k
		}
	}
	if q < 0 || len(spans) <= 1 {
		r.question, r.qIsWhole = r.whole, true
		r.sentences = nil
		return r
	}
	// A question that says little on its own ("A-t-il raison ?") is read
	// with the sentences before it, or as the whole message.
	weak := func(v view) bool { return v.n-v.nUnk < ix.params.FocusMinTerms }
	start := q
	if q > 0 && weak(r.sentences[q]) {
		for start = q - 1; start > 0 && weak(ix.makeView(toks, words, spans[start].start, spans[q].end, h, false)); start-- {
		}
		if start == 0 {
			r.question, r.qIsWhole = r.whole, true
			return r
		}
	}
	r.question = ix.makeView(toks, words, spans[start].start, spans[q].end, h, true)
	return r
}

// numberTerms sets each token's wi: the place of its term among the
// message's distinct terms, in order of first occurrence (as the whole
// view lists them).
func numberTerms(toks []qtok) {
	var at map[string]int32
	if len(toks) > 32 {
		at = make(map[string]int32, len(toks))
	}
	n := int32(0)
	for k := range toks {
		t := &toks[k]
		if at != nil {
			wi, ok := at[t.term]
			if !ok {
				wi, n = n, n+1
				at[t.term] = wi
			}
			t.wi = wi
			continue
		}
		t.wi = n
		for _, u := range toks[:k] {
			if u.term == t.term {
				t.wi = u.wi
				break
			}
		}
		if t.wi == n {
			n++
		}
	}
}

// featPool holds the scratch of features.
var featPool sync.Pool

type featScratch struct {
	acc []float64
	et  entryTerms
}

// features fills one row per candidate entry.
func (ix *Index) features(r *reading, cands []int, h *holdout, rows [][nFeat]float64) {
	// Scratch, cleared by each use of the part it needs.
	fs, _ := featPool.Get().(*featScratch)
	if fs == nil {
		fs = new(featScratch)
	}
	defer featPool.Put(fs)
	if n := 2 * max(ix.maxPhr, ix.nOOS); cap(fs.acc) < n {
		fs.acc = make([]float64, n)
	}
	acc := fs.acc[:2*max(ix.maxPhr, ix.nOOS)]
	et := &fs.et
	if nt := len(r.whole.terms); cap(et.ts) < nt {
		et.ts, et.lr = make([]*termStat, nt), make([]float64, nt)
	}
	et.ts, et.lr = et.ts[:len(r.whole.terms)], et.lr[:len(r.whole.terms)]
	defer clear(et.ts[:cap(et.ts)]) // no pointers kept into an index
	for k, t := range r.whole.terms {
		if int(t.wi) != k {
			et = nil // not numbered as the whole view lists them
			break
		}
	}
	oosW := ix.oosSimilarity(&r.whole, h, acc)
	oosQ := oosW
	if !r.qIsWhole {
		oosQ = ix.oosSimilarity(&r.question, h, acc)
	}
	var dotW, dotQ [maxCandidates]float64
	ix.ngramDots(&r.whole, cands, dotW[:len(cands)])
	if !r.qIsWhole {
		ix.ngramDots(&r.question, cands, dotQ[:len(cands)])
	}
	var w, q [maxCandidates]viewEvidence
	for k, i := range cands {
		if et != nil {
			clear(et.ts)
		}
		w[k] = ix.evidenceDot(i, &r.whole, h, acc, dotW[k], et)
		if r.qIsWhole {
			q[k] = w[k]
		} else {
			q[k] = ix.evidenceDot(i, &r.question, h, acc, dotQ[k], et)
		}
		var sPhr, sFull float64
		for s := range r.sentences {
			e := ix.evidenceDot(i, &r.sentences[s], h, acc, 0, et) // no n-grams
			sPhr, sFull = max(sPhr, e.phr), max(sFull, e.full)
		}
		if r.sentences == nil {
			sPhr, sFull = q[k].phr, q[k].full
		}
		row := &rows[k]
		row[2*nViewFeat], row[2*nViewFeat+1] = sPhr, sFull
		if r.qIsWhole {
			row[2*nViewFeat+2] = 1
		}
		row[2*nViewFeat+3] = math.Log1p(float64(r.whole.n))
	}
	fill := func(off int, ev []viewEvidence, v *view, oos float64) {
		var near float64 // the closest phrasing or example of any candidate
		for k := range cands {
			near = max(near, ev[k].phr, ev[k].exBest)
		}
		for k := range cands {
			e := ev[k]
			var oFull, oPhr, oNg float64
			oNB := math.Inf(-1)
			for j := range cands {
				if j != k {
					oFull, oPhr, oNg = max(oFull, ev[j].full), max(oPhr, ev[j].phr), max(oNg, ev[j].ngram)
					oNB = max(oNB, ev[j].nb)
				}
			}
			if len(cands) == 1 {
				oNB = v.oosNB
			}
			row := &rows[k]
			row[off+0], row[off+1], row[off+2], row[off+3], row[off+4] = e.full, e.ans, e.alt1, e.phr, e.ngram
			row[off+5], row[off+6], row[off+7] = e.full-oFull, e.phr-oPhr, e.ngram-oNg
			row[off+8] = v.unk
			row[off+9] = math.Log1p(float64(v.nUnk))
			row[off+10] = e.phr * (1 - v.unk)
			row[off+11], row[off+12], row[off+13], row[off+14] = e.exAny, e.exBest, oos, oos-near
			row[off+15], row[off+16], row[off+17] = e.nb, e.nb-oNB, v.oosNB
		}
	}
	fill(0, w[:len(cands)], &r.whole, oosW)
	fill(nViewFeat, q[:len(cands)], &r.question, oosQ)
}

// analyze runs the analysis chain on a message once, repairing typos after
// folding: its terms with their offsets, and its words as typed (folded,
// repaired, stop words aside) for the n-grams.
func (ix *Index) analyze(s string) (terms []qtok, words []qtok) {
	toks := ix.chain.Tokenizer.Tokenize([]byte(s))
	for _, f := range ix.chain.TokenFilters[:nPreFilters] {
		toks = f.Filter(toks)
	}
	ix.correctTokens(toks)
	for _, t := range toks {
		w := string(t.Term)
		if bare, _ := matchKey(w); !ix.words.stop[w] && !ix.words.stop[bare] && utf8.RuneCountInString(w) > 1 {
			words = append(words, qtok{term: w, start: t.Start})
		}
	}
	english := looksEnglish(toks)
	for k, f := range ix.chain.TokenFilters[nPreFilters:] {
		if english && k == len(ix.chain.TokenFilters)-nPreFilters-1 {
			// Before the stemmer: English function words left once the
			// synonyms have read their phrases ("how long", "why").
			toks = dropEnglishStop(toks)
		}
		toks = f.Filter(toks)
	}
	// Tokens of one synonym expansion carry the span of the whole phrase:
	// they share their start, and the stream is in order of start, so
	// they are neighbours (counted by pairs when the order is broken).
	ordered := true
	for k := 1; k < len(toks); k++ {
		if toks[k].Start < toks[k-1].Start {
			ordered = false
			break
		}
	}
	for k, t := range toks {
		if len(t.Term) == 0 {
			continue
		}
		term := string(t.Term)
		if ix.df[term] == 0 {
			if c, ok := ix.typos.correct(term); ok {
				term = c
			} else if utf8.RuneCountInString(term) == 1 || isNumber(term) {
				continue // "0 $", "~2": no information, known or not
			}
		}
		n := 0
		if ordered {
			lo, hi := k, k+1
			for lo > 0 && toks[lo-1].Start == t.Start {
				lo--
			}
			for hi < len(toks) && toks[hi].Start == t.Start {
				hi++
			}
			for _, u := range toks[lo:hi] {
				if u.End == t.End {
					n++
				}
			}
		} else {
			for _, u := range toks {
				if u.Start == t.Start && u.End == t.End {
					n++
				}
			}
		}
		terms = append(terms, qtok{term: term, share: 1 / math.Sqrt(float64(n)), start: t.Start})
	}
	return terms, words
}

// buildStats builds the per-entry evidence tables; n-gram idf is over
// phrasings.
func (ix *Index) buildStats() {
	kb := ix.kb
	ix.examples = make([][]string, len(kb.Entries))
	ix.oosPost = map[string][]int32{}
	for _, x := range kb.Examples {
		if x.Entry == "" {
			terms := ix.terms(x.Text)
			ix.oosLen = append(ix.oosLen, int32(len(terms)))
			for _, t := range terms {
				ix.oosPost[t] = append(ix.oosPost[t], int32(len(ix.oos)))
				ix.totalOcc[t]++
			}
			ix.oos = append(ix.oos, x.Text)
			continue
		}
		if i, ok := ix.byID[x.Entry]; ok {
			ix.examples[i] = append(ix.examples[i], x.Text)
		}
	}
	ix.nOOS = len(ix.oos)
	ix.entries = make([]entryStats, len(kb.Entries))
	ix.ngIDF = map[uint32]ngInfo{}
	// n-gram document frequencies over phrasings, then vectors.
	type phr struct {
		entry  int
		hashes []uint32
	}
	var all []phr
	df := map[uint32]int{}
	for i := range kb.Entries {
		e := &kb.Entries[i]
		for _, s := range append([]string{e.Question}, e.Alternates...) {
			hs := ngramHashes(ix.surface(s), nil)
			for k, g := range hs {
				if k == 0 || g != hs[k-1] {
					df[g]++
				}
			}
			all = append(all, phr{i, hs})
		}
	}
	n := float64(len(all))
	for g, d := range df {
		ix.ngIDF[g] = ngInfo{idf: math.Log(1 + n/float64(d)), id: int32(len(ix.ngIDF))}
	}
	cents := make([]map[uint32]float64, len(kb.Entries))
	for _, p := range all {
		if cents[p.entry] == nil {
			cents[p.entry] = map[uint32]float64{}
		}
		for _, x := range tfidf(p.hashes, ix.ngIDF) {
			cents[p.entry][x.g] += x.w
		}
	}
	for i := range kb.Entries {
		e := &kb.Entries[i]
		st := entryStats{terms: map[string]*termStat{}}
		phrs := append([]string{e.Question}, e.Alternates...)
		st.nPhr = len(phrs)
		for k, s := range phrs {
			for _, t := range ix.terms(s) {
				ts := st.add(t)
				if k == 0 {
					ts.strong++
				} else {
					ts.alt++
				}
				ts.occ++
				ts.post = append(ts.post, int32(k))
			}
		}
		for _, s := range e.Keywords {
			for _, t := range ix.terms(s) {
				ts := st.add(t)
				ts.strong++
				ts.occ++
			}
		}
		for _, t := range ix.terms(e.Answer) {
			ts := st.add(t)
			ts.answer = true
			ts.occ++
		}
		for _, x := range ix.examples[i] {
			terms := ix.terms(x)
			st.exLen = append(st.exLen, int32(len(terms)))
			for _, t := range terms {
				ts := st.add(t)
				ts.ex++
				ts.occ++
				ts.expost = append(ts.expost, int32(st.nEx))
			}
			st.nEx++
		}
		ix.maxPhr = max(ix.maxPhr, st.nPhr+st.nEx)
		for t, ts := range st.terms {
			ix.totalOcc[t] += int(ts.occ)
		}
		st.cent = make(ngVec, 0, len(cents[i]))
		for g, w := range cents[i] {
			st.cent = append(st.cent, ngw{g: g, id: ix.ngIDF[g].id, w: w})
		}
		slices.SortFunc(st.cent, func(a, b ngw) int { return cmp.Compare(a.g, b.g) })
		for _, x := range st.cent {
			st.centN2 += x.w * x.w
		}
		ix.entries[i] = st
	}
	ix.ngPost = newNgPostings(ix.entries, len(ix.ngIDF))
	// The official text's own terms (question, keywords, answer) found in
	// half the entries or more.
	ix.topicTerms = map[string]bool{}
	if n := len(kb.Entries); n >= 4 {
		count := map[string]int{}
		for i := range ix.entries {
			for t, ts := range ix.entries[i].terms {
				if ts.strong > 0 || ts.answer {
					count[t]++
				}
			}
		}
		for t, c := range count {
			if 2*c >= n {
				ix.topicTerms[t] = true
			}
		}
	}
	ix.itemsWith = make(map[string]int32, len(ix.oosPost))
	ix.nItems = float64(ix.nOOS)
	for t, xs := range ix.oosPost {
		ix.itemsWith[t] += int32(len(xs))
	}
	for i := range ix.entries {
		st := &ix.entries[i]
		ix.nItems += float64(st.nPhr + st.nEx)
		for t, ts := range st.terms {
			ix.itemsWith[t] += int32(len(ts.post)) + ts.ex
		}
	}
	ix.infos = make(map[string]termInfo, len(ix.df)+len(ix.oosPost))
	for t := range ix.df {
		ix.infos[t] = ix.computeTermInfo(t, nil)
	}
	for t := range ix.oosPost {
		ix.infos[t] = ix.computeTermInfo(t, nil)
	}
	ix.noInfo = ix.computeTermInfo("", nil)
}

// surface is a text's words as typed (folded, stop words aside), for the
// n-grams of a phrasing.
func (ix *Index) surface(s string) []string {
	var out []string
	for _, w := range ix.preTokens(s) {
		if bare, _ := matchKey(w); !ix.words.stop[w] && !ix.words.stop[bare] && utf8.RuneCountInString(w) > 1 {
			out = append(out, w)
		}
	}
	return out
}
