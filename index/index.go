// Package index searches the FAQ in two steps kept apart. Retrieval and
// evidence: a Bleve index over the entries with a French analysis chain
// (accent folding, synonyms, elision, stop words, light stemming) and typo
// repair finds the candidate entries, and measures for each how well it
// matches the whole message and its question sentence. Decision: a small
// logistic model, trained on the FAQ's own content and labelled examples,
// turns that evidence into a calibrated probability per entry, then into an
// answer, a choice of two or three entries, or a fallback.
package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/qc-ia/conformbot/faq"
)

// MaxQuestionRunes is how much of a question is searched; the rest is ignored
// and Result.Truncated says so.
const MaxQuestionRunes = 2000

// Params holds every tunable of the search. Zero fields take the values of
// DefaultParams.
type Params struct {
	// AnswerThreshold: the best entry is the answer when its probability
	// is at least this.
	AnswerThreshold float64
	// AmbiguousThreshold: below AnswerThreshold, two or three entries whose
	// probabilities are each at least ChoiceMin and add up to at least this
	// are offered as choices.
	AmbiguousThreshold float64
	ChoiceMin          float64
	// SuggestMin: after a fallback, entries at least this probable are
	// suggested.
	SuggestMin float64
	// OffTopicBelow: a fallback whose best entry is less probable than this,
	// and which has no term of half the entries or more, is off-topic
	// (nothing in the FAQ is near), rather than a question of the domain
	// the FAQ does not answer.
	OffTopicBelow float64
	// FocusMinTerms: a question sentence with fewer known terms is read
	// with the sentences before it, until it has this many.
	FocusMinTerms int
	// ClauseWords: a sentence of at least this many words also ends at a
	// comma (negative: never), so that the question clause of a run-on message
	// is read apart from its context.
	ClauseWords int
	// UnknownWeight: a word the FAQ does not know weighs this many times a
	// word found in a single entry (it is a sign of another topic).
	UnknownWeight float64
	// Smoothing: the pseudo-count of the term log-ratios (how much likelier
	// an entry's phrasings and examples hold a term than the rest of the
	// content), so that one occurrence is evidence, not proof.
	Smoothing float64

	// Training of the decision.
	L2                float64 // ridge penalty on the standardised weights
	ContextShare      float64 // share of phrasings also trained after a sentence of context
	ExampleWeight     float64 // weight of a labelled example against one phrasing
	MaxTrainPhrasings int     // phrasings trained on, at most (large FAQs are sampled)
	Seed              uint64  // of the context sampling
}

// DefaultParams are the measured defaults (see the closing notes of the
// cross-validation: go test ./index -run CrossValidation -v).
var DefaultParams = Params{
	AnswerThreshold:    0.7,
	AmbiguousThreshold: 0.5,
	ChoiceMin:          0.15,
	SuggestMin:         0.05,
	OffTopicBelow:      0.02,
	UnknownWeight:      2,
	Smoothing:          1,
	FocusMinTerms:      2,
	ClauseWords:        20,
	L2:                 5,
	ContextShare:       0.5,
	ExampleWeight:      12,
	MaxTrainPhrasings:  1500,
	Seed:               1,
}

func (p Params) withDefaults() Params {
	d := DefaultParams
	set := func(v *float64, def float64) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&p.AnswerThreshold, d.AnswerThreshold)
	set(&p.AmbiguousThreshold, d.AmbiguousThreshold)
	set(&p.ChoiceMin, d.ChoiceMin)
	set(&p.SuggestMin, d.SuggestMin)
	set(&p.OffTopicBelow, d.OffTopicBelow)
	set(&p.UnknownWeight, d.UnknownWeight)
	set(&p.Smoothing, d.Smoothing)
	set(&p.L2, d.L2)
	set(&p.ContextShare, d.ContextShare)
	set(&p.ExampleWeight, d.ExampleWeight)
	if p.FocusMinTerms <= 0 {
		p.FocusMinTerms = d.FocusMinTerms
	}
	if p.ClauseWords == 0 {
		p.ClauseWords = d.ClauseWords
	}
	if p.MaxTrainPhrasings <= 0 {
		p.MaxTrainPhrasings = d.MaxTrainPhrasings
	}
	if p.Seed == 0 {
		p.Seed = d.Seed
	}
	return p
}

// training is the part of the parameters the model depends on.
func (p Params) training() Params {
	return Params{UnknownWeight: p.UnknownWeight, Smoothing: p.Smoothing, FocusMinTerms: p.FocusMinTerms, ClauseWords: p.ClauseWords, L2: p.L2, ContextShare: p.ContextShare, ExampleWeight: p.ExampleWeight,
		MaxTrainPhrasings: p.MaxTrainPhrasings, Seed: p.Seed}
}

// Options configures an index.
type Options struct {
	Params Params
	// Model, when trained on the same content and parameters (its Content
	// is ContentKey's), is used instead of training; otherwise the
	// embedded model of the official FAQ is tried, then the index trains.
	Model *Model
	// Analysis, when made from the same content and parameters by this
	// build of the program (see Analysis), is used instead of analysing
	// the FAQ again.
	Analysis *Analysis
}

// Decision is what to do with a question.
type Decision string

// Decisions.
const (
	Answer    Decision = "answer"    // Hits[0] is the answer
	Ambiguous Decision = "ambiguous" // Hits holds the 2–3 plausible entries: ask which one
	Fallback  Decision = "fallback"  // no answer: say so; Hits holds at most 3 weak suggestions
)

// Hit is one ranked entry.
type Hit struct {
	Entry      *faq.Entry
	Score      float64 // Bleve score
	Confidence float64 // calibrated probability that this entry is the answer
}

// Result of a search.
type Result struct {
	Decision   Decision
	Hits       []Hit // best first
	Confidence float64
	// OffTopic: a fallback where no entry is near (Params.OffTopicBelow).
	OffTopic  bool
	Truncated bool // input was cut to MaxQuestionRunes
}

// Field names and boosts: the official question and the alternate
// phrasings say what an entry is about; the answer only helps.
const (
	fieldQuestion   = "question"
	fieldAlternates = "alternates"
	fieldKeywords   = "keywords"
	fieldAnswer     = "answer"
)

// In this order: New indexes the fields by position.
var boosts = [...]struct {
	field string
	boost float64
}{{fieldQuestion, 3}, {fieldAlternates, 2}, {fieldKeywords, 2}, {fieldAnswer, 0.7}}

// nPreFilters: lowercase and fold, the filters before synonyms.
const nPreFilters = 2

// maxCandidates is how many entries retrieval passes to the decision.
const maxCandidates = 10

// Index is safe for concurrent use.
type Index struct {
	kb       *faq.KB
	params   Params
	model    *Model
	bi       bleve.Index
	coll     *collect // runs the searches on bi
	analyzer analysis.Analyzer
	chain    *analysis.DefaultAnalyzer // the same, run step by step on questions
	analysis *Analysis
	byID     map[string]int
	df       map[string]int // entries holding the term, in any field
	dfAns    map[string]int // entries whose answer holds the term
	dfOff    map[string]int // entries whose official text (not examples) holds the term
	totalOcc map[string]int // items of the whole FAQ holding the term
	ansCap   int            // answer-field clauses only for terms in at most ansCap answers
	entries  []entryStats
	ngIDF    map[uint32]ngInfo
	ngPost   *ngPostings // nil for a large FAQ
	maxPhr   int         // phrasings and examples of an entry, at most
	examples [][]string  // per entry, its labelled examples
	oos      []string    // out-of-scope examples
	oosLen   []int32     // terms of each
	oosPost  map[string][]int32
	nOOS     int
	// itemsWith: phrasings and examples (out-of-scope ones included) holding
	// the term, of nItems in all: the base of the term log-ratios.
	itemsWith map[string]int32
	infos     map[string]termInfo // of every term of an entry or an out-of-scope example
	noInfo    termInfo            // of any other
	nItems    float64
	// topicTerms: the terms of half the entries or more, what the whole FAQ
	// is about (none in a large FAQ of many topics).
	topicTerms map[string]bool
	clauses    map[string][]query.Query // per term, its term queries on the fields that hold it
	typos      *typoIndex               // over index terms (stemmed)
	words      *typoIndex               // over the words of the FAQ and its synonyms, as typed
	// inflections: verb root -> a word of the FAQ or its synonyms with it.
	inflections map[string]string
	nEntry      float64
	// While building: the FAQ's texts analysed (unique terms, all terms,
	// words before synonyms).
	buildTerms, buildFull, buildPre map[string][]string
	// passages: passage text -> its terms (BestPassage), read only.
	passages  sync.Map
	nPassages atomic.Int32
}

type doc struct {
	Question   string   `json:"question"`
	Alternates []string `json:"alternates"`
	Keywords   []string `json:"keywords"`
	Answer     string   `json:"answer"`
}

// fieldNames are the indexed fields.
func fieldNames() []string {
	return []string{fieldQuestion, fieldAlternates, fieldKeywords, fieldAnswer}
}

func buildMapping(kb *faq.KB) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomTokenFilter(kbSynonymsName, synonymConfig(kb.Synonyms)); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter(stopName+"_filter", map[string]interface{}{
		"type": stop.Name, "stop_token_map": stopName}); err != nil {
		return nil, err
	}
	if err := m.AddCustomAnalyzer(analyzerName, map[string]interface{}{
		"type":      chainName,
		"tokenizer": unicodetok.Name,
		// The first nPreFilters come before typo repair on questions.
		"token_filters": []string{lowercase.Name, foldName, kbSynonymsName, fr.ElisionName,
			stopName + "_filter", fr.LightStemmerName},
	}); err != nil {
		return nil, err
	}
	m.DefaultAnalyzer = analyzerName
	m.ScoringModel = "bm25"
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range fieldNames() {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = analyzerName
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		dm.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = dm
	return m, nil
}

// New builds an in-memory index over kb.
func New(kb *faq.KB, opts Options) (*Index, error) {
	if kb == nil || len(kb.Entries) == 0 {
		return nil, errors.New("index: empty knowledge base")
	}
	p := opts.Params.withDefaults()
	if p.AnswerThreshold > 1 || p.AmbiguousThreshold > 2 || p.ChoiceMin > 1 {
		return nil, fmt.Errorf("index: thresholds must be probabilities: %+v", p)
	}
	m, err := buildMapping(kb)
	if err != nil {
		return nil, fmt.Errorf("index: mapping: %w", err)
	}
	// Scorch in memory: faster searches than the upsidedown store.
	bi, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	ix := &Index{kb: kb, params: p, bi: bi, byID: make(map[string]int, len(kb.Entries)), df: map[string]int{}, dfAns: map[string]int{}, dfOff: map[string]int{}, totalOcc: map[string]int{}, buildTerms: map[string][]string{},
		nEntry: float64(len(kb.Entries))}
	memo, ok := m.AnalyzerNamed(analyzerName).(*memoAnalyzer)
	if !ok || len(memo.TokenFilters) != nPreFilters+4 {
		return nil, errors.New("index: analyzer not found")
	}
	ix.chain = memo.DefaultAnalyzer
	ix.analyzer = ix.chain
	var inField [len(boosts)]map[string]bool // terms of each field, in any entry
	for f := range inField {
		inField[f] = map[string]bool{}
	}
	key := ContentKey(kb, p)
	texts := analysedTexts(kb)
	ix.analysis = opts.Analysis
	if a := ix.analysis; a == nil || a.content != key || len(a.termEnd) != len(texts) {
		ix.analysis = analyse(ix.chain, texts)
		ix.analysis.content = key
	}
	ix.buildFull, ix.buildPre = ix.analysis.memo(texts)
	memo.memo = ix.buildFull
	examples := map[string][]string{}
	for _, x := range kb.Examples {
		if x.Entry != "" {
			examples[x.Entry] = append(examples[x.Entry], x.Text)
		}
	}
	batch := bi.NewBatch()
	for i := range kb.Entries {
		e := &kb.Entries[i]
		if _, dup := ix.byID[e.ID]; dup {
			return nil, fmt.Errorf("index: duplicate entry id %q", e.ID)
		}
		ix.byID[e.ID] = i
		q, a := map[string]bool{}, map[string]bool{}
		for k, s := range append(append([]string{e.Question}, e.Alternates...), e.Keywords...) {
			f := 2 // keywords
			if k == 0 {
				f = 0
			} else if k <= len(e.Alternates) {
				f = 1
			}
			for _, t := range ix.terms(s) {
				q[t] = true
				inField[f][t] = true
			}
		}
		for _, t := range ix.terms(e.Answer) {
			a[t] = true
			inField[3][t] = true
		}
		for t := range q {
			ix.df[t]++
			ix.dfOff[t]++
		}
		for t := range a {
			ix.dfAns[t]++
			if !q[t] {
				ix.df[t]++
				ix.dfOff[t]++
			}
		}
		// Examples are evidence, not retrieval: their words count as known,
		// but Bleve does not index them (half the text of the official FAQ).
		for _, x := range examples[e.ID] {
			for _, t := range ix.terms(x) {
				if !q[t] && !a[t] {
					q[t] = true
					ix.df[t]++
				}
			}
		}
		if err := batch.Index(e.ID, doc{e.Question, e.Alternates, e.Keywords, e.Answer}); err != nil {
			return nil, fmt.Errorf("index: %s: %w", e.ID, err)
		}
	}
	// The term queries of every known term, built once: a question only
	// picks them. A term query on a field without the term finds nothing,
	// yet costs a postings lookup and its share of the collector's pool.
	// A word found in many answers barely ranks, yet its postings are most
	// of a search's work on a large FAQ. Small FAQs keep every clause.
	ix.ansCap = max(50, len(kb.Entries)/50)
	ix.clauses = make(map[string][]query.Query, len(ix.df))
	var fieldBoost [len(boosts)]query.Boost // shared: queries only read them
	for f, fb := range boosts {
		fieldBoost[f] = query.Boost(fb.boost)
		for t := range inField[f] {
			if fb.field == fieldAnswer && ix.dfAns[t] > ix.ansCap {
				continue
			}
			ix.clauses[t] = append(ix.clauses[t], &clauseQuery{term: t, field: fb.field, boost: &fieldBoost[f]})
		}
	}
	// One batch makes one segment: no background merging competing with
	// searches, and each search reads a single segment. The batch and the
	// index terms' typo table need nothing of the evidence tables: they
	// are built beside them.
	batchErr := make(chan error, 1)
	go func() {
		err := bi.Batch(batch)
		memo.memo = nil
		batchErr <- err
	}()
	typos := make(chan *typoIndex, 1)
	go func() { typos <- newTypoIndex(ix.df, nil) }()
	ix.words = newTypoIndex(surfaceWords(kb, ix.preTokens), stopSet())
	ix.inflections = inflectionsOf(ix.words.known, ix.words.stop)
	ix.buildStats()
	ix.typos = <-typos
	if err := <-batchErr; err != nil {
		bi.Close()
		return nil, fmt.Errorf("index: %w", err)
	}
	if err := readPostings(bi, ix.clauses, len(kb.Entries)); err != nil {
		bi.Close()
		return nil, fmt.Errorf("index: %w", err)
	}
	if ix.coll, err = newCollect(bi, fieldNames(), ix.byID); err != nil {
		bi.Close()
		return nil, fmt.Errorf("index: %w", err)
	}
	defer func() { ix.buildTerms, ix.buildFull, ix.buildPre = nil, nil, nil }()
	switch def := embeddedModel(); {
	case opts.Model != nil && opts.Model.Content == key && opts.Model.check() == nil:
		ix.model = opts.Model
	case def != nil && def.Content == key:
		ix.model = def
	default:
		m, err := ix.train()
		if err != nil {
			bi.Close()
			return nil, err
		}
		ix.model = m
	}
	return ix, nil
}

// Model returns the decision in use, to be saved and given back to New
// (Options.Model) so that the same content is not trained twice.
func (ix *Index) Model() *Model { return ix.model }

// Params returns the parameters in effect.
func (ix *Index) Params() Params { return ix.params }

// Close releases the Bleve index.
func (ix *Index) Close() error {
	ix.coll.close()
	return ix.bi.Close()
}

// KB returns the knowledge base the index was built from.
func (ix *Index) KB() *faq.KB { return ix.kb }

// terms analyzes s with the index's chain, unique terms in order. While
// the index is built (one goroutine), the FAQ's texts come from its
// analysis.
func (ix *Index) terms(s string) []string {
	if ts, ok := ix.buildTerms[s]; ok {
		return ts
	}
	var ts []string
	if full, ok := ix.buildFull[s]; ok {
		ts = uniqueTerms(full)
	} else {
		ts = ix.analyzeTerms(s)
	}
	if ix.buildTerms != nil {
		ix.buildTerms[s] = ts
	}
	return ts
}

// preTokens is preTokens(s), from the analysis while building.
func (ix *Index) preTokens(s string) []string {
	if pre, ok := ix.buildPre[s]; ok {
		return pre
	}
	return preTokens(s)
}

func (ix *Index) analyzeTerms(s string) []string {
	toks := ix.analyzer.Analyze([]byte(s))
	full := make([]string, len(toks))
	for k, t := range toks {
		full[k] = string(t.Term)
	}
	return uniqueTerms(full)
}

// uniqueTerms drops empty and repeated terms.
func uniqueTerms(full []string) []string {
	out := make([]string, 0, len(full))
	seen := make(map[string]bool, len(full))
	for _, w := range full {
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// clean truncates text to MaxQuestionRunes and replaces control and invalid
// characters by spaces.
func clean(text string) (string, bool) {
	truncated := false
	if utf8.RuneCountInString(text) > MaxQuestionRunes {
		n := 0
		for i := range text {
			if n == MaxQuestionRunes {
				text = text[:i]
				break
			}
			n++
		}
		truncated = true
	}
	text = strings.ToValidUTF8(text, " ")
	return strings.Map(func(r rune) rune {
		// A colon joins letters for the word splitter ("durée:suspension").
		if r == ':' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfeff || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return ' '
		}
		return r
	}, text), truncated
}

// Search ranks the entries for a message typed by a user. The text is
// analyzed, never parsed as a query string.
func (ix *Index) Search(ctx context.Context, text string) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	text, truncated := clean(stripMentions(text))
	res := Result{Decision: Fallback, Truncated: truncated}
	r := ix.read(text, nil)
	cands, scores, err := ix.candidates(ctx, &r)
	if err != nil {
		return Result{}, err
	}
	if len(cands) == 0 {
		res.OffTopic = true
		return res, nil
	}
	var rowsArr [maxCandidates][nFeat]float64
	rows := rowsArr[:len(cands)]
	ix.features(&r, cands, nil, rows)
	var pArr [maxCandidates]float64
	ix.model.probs(rows, pArr[:len(cands)])
	for k, i := range cands {
		res.Hits = append(res.Hits, Hit{Entry: &ix.kb.Entries[i], Score: scores[k], Confidence: pArr[k]})
	}
	slices.SortStableFunc(res.Hits, func(a, b Hit) int {
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
	ix.decide(&res, ix.mentionsTopic(&r.whole))
	return res, nil
}

// candidates retrieves the entries worth deciding on: Bleve's best for the
// whole message, and for its question sentence.
func (ix *Index) candidates(ctx context.Context, r *reading) ([]int, []float64, error) {
	// Both lists in one array on the stack.
	var buf [2 * maxCandidates]hit
	run := func(v *view, dst []hit) ([]hit, error) {
		clauses := make([]query.Query, 0, len(boosts)*len(v.terms))
		for _, t := range v.terms {
			if !t.unknown {
				clauses = append(clauses, ix.clauses[t.term]...)
			}
		}
		if len(clauses) == 0 {
			return nil, nil
		}
		hits, err := ix.coll.search(ctx, leanDisjunction{bleve.NewDisjunctionQuery(clauses...)}, maxCandidates, dst)
		if err != nil {
			return nil, fmt.Errorf("index: search: %w", err)
		}
		return hits, nil
	}
	whole, err := run(&r.whole, buf[:0:maxCandidates])
	if err != nil {
		return nil, nil, err
	}
	lists := [2][]hit{whole}
	// The question's terms are among the whole message's: when Bleve
	// returns fewer hits than asked for the whole message, they hold every
	// entry the question sentence alone would find. Otherwise the question
	// sentence's best entries go first.
	if !r.qIsWhole && len(whole) == maxCandidates {
		q, err := run(&r.question, buf[maxCandidates:maxCandidates])
		if err != nil {
			return nil, nil, err
		}
		lists = [2][]hit{q, whole}
	}
	var cands []int
	var scores []float64
	for _, hits := range lists {
		for _, h := range hits {
			if h.entry < 0 || slices.Contains(cands, h.entry) || len(cands) == maxCandidates {
				continue
			}
			cands, scores = append(cands, h.entry), append(scores, h.score)
		}
	}
	return cands, scores, nil
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// mentionsTopic reports a message with a term of the FAQ's topic.
func (ix *Index) mentionsTopic(v *view) bool {
	for _, t := range v.terms {
		if ix.topicTerms[t.term] {
			return true
		}
	}
	return false
}

// decide turns the probabilities (Hits sorted, best first) into a decision;
// topical says the message mentions the FAQ's topic.
func (ix *Index) decide(res *Result, topical bool) {
	p := ix.params
	res.Confidence = res.Hits[0].Confidence
	if res.Confidence >= p.AnswerThreshold {
		res.Decision = Answer
		return
	}
	var choices []Hit
	var mass float64
	for _, h := range res.Hits {
		if h.Confidence >= p.ChoiceMin && len(choices) < 3 {
			choices = append(choices, h)
			mass += h.Confidence
		}
	}
	if len(choices) >= 2 && mass >= p.AmbiguousThreshold {
		res.Decision, res.Hits = Ambiguous, choices
		return
	}
	res.Decision = Fallback
	res.OffTopic = res.Confidence < p.OffTopicBelow && !topical
	kept := res.Hits[:0]
	for _, h := range res.Hits {
		if h.Confidence >= p.SuggestMin && len(kept) < 3 {
			kept = append(kept, h)
		}
	}
	res.Hits = kept
}

// Terms shows how a question is read: its terms after analysis (folding,
// synonyms, stop words, stemming) and typo correction; "?" marks a word
// the FAQ does not know.
func (ix *Index) Terms(text string) []string {
	text, _ = clean(stripMentions(text))
	v := ix.read(text, nil).whole
	out := make([]string, len(v.terms))
	for i, t := range v.terms {
		out[i] = t.term
		if t.unknown {
			out[i] += "?"
		}
	}
	return out
}
