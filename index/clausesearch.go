package index

import (
	"context"
	"math"
	"reflect"
	"sort"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
)

// clauseSearcher is Bleve's term searcher and BM25 term scorer on a
// clause's replayed postings, in one allocation instead of six (searcher,
// scorer, reader, term copy, context, document ID): the arithmetic is
// TermQueryScorer's, operation for operation, so scores are the same to
// the bit (TestCollectAsSearchInContext). It serves the searches of
// collect, which give Bleve's BM25 statistics in the context; any other
// search goes through Bleve's own term searcher.
type clauseSearcher struct {
	q            *clauseQuery
	pos          int
	boost        float64
	idf          float64
	avgDocLength float64
	queryWeight  float64
}

var reflectSizeClauseSearcher = int(reflect.TypeFor[clauseSearcher]().Size())

// newClauseSearcher returns nil when the search is not one it scores as
// Bleve would: no postings, other options, other scoring, no statistics.
func newClauseSearcher(ctx context.Context, q *clauseQuery, options search.SearcherOptions) *clauseSearcher {
	if q.post == nil || options != (search.SearcherOptions{}) {
		return nil
	}
	model, ok := ctx.Value(search.GetScoringModelCallbackKey).(search.GetScoringModelCallbackFn)
	if !ok || model() != index.BM25Scoring {
		return nil
	}
	stats, ok := ctx.Value(search.BM25StatsKey).(*search.BM25Stats)
	if !ok {
		return nil
	}
	fieldCardinality, ok := stats.FieldCardinality[q.field]
	if !ok {
		return nil
	}
	// bm25ScoreMetrics, then NewTermQueryScorer.
	count := uint64(stats.DocCount)
	var avgDocLength float64
	if count != 0 || fieldCardinality != 0 {
		avgDocLength = math.Ceil(float64(fieldCardinality) / float64(count))
	}
	s := &clauseSearcher{q: q, boost: q.boost.Value(), avgDocLength: avgDocLength, queryWeight: 1.0}
	docTotal, docTerm := count, q.count
	if avgDocLength > 0 {
		s.idf = math.Log(1 + (float64(docTotal)-float64(docTerm)+0.5)/
			(float64(docTerm)+0.5))
	} else {
		s.idf = 1.0 + math.Log(float64(docTotal)/
			float64(docTerm+1.0))
	}
	return s
}

func (s *clauseSearcher) Weight() float64 {
	sum := s.boost * s.idf
	return sum * sum
}

func (s *clauseSearcher) SetQueryNorm(qnorm float64) {
	s.queryWeight = s.boost * s.idf * qnorm
}

func (s *clauseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.pos >= len(s.q.post) {
		return nil, nil
	}
	p := &s.q.post[s.pos]
	s.pos++
	return s.score(ctx, p), nil
}

// Advance goes to the first document at or after id, backwards too.
func (s *clauseSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	n := id.Value()
	s.pos = sort.Search(len(s.q.post), func(k int) bool { return s.q.post[k].doc >= n })
	return s.Next(ctx)
}

// score is TermQueryScorer.Score without explanations or term vectors.
func (s *clauseSearcher) score(ctx *search.SearchContext, p *posting) *search.DocumentMatch {
	rv := ctx.DocumentMatchPool.Get()
	var tf float64
	if p.freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(p.freq)]
	} else {
		tf = math.Sqrt(float64(p.freq))
	}
	var score float64
	if s.avgDocLength > 0 {
		fieldLength := 1 / (p.norm * p.norm)
		score = s.idf * (tf * search.BM25_k1) /
			(tf + search.BM25_k1*(1-search.BM25_b+(search.BM25_b*fieldLength/s.avgDocLength)))
	} else {
		score = tf * p.norm * s.idf
	}
	if s.queryWeight != 1.0 {
		score = score * s.queryWeight
	}
	rv.Score = score
	rv.IndexInternalID = index.NewIndexInternalID(rv.IndexInternalID, p.doc)
	return rv
}

func (s *clauseSearcher) Count() uint64              { return s.q.count }
func (s *clauseSearcher) Close() error               { return nil }
func (s *clauseSearcher) Min() int                   { return 0 }
func (s *clauseSearcher) Size() int                  { return reflectSizeClauseSearcher }
func (s *clauseSearcher) DocumentMatchPoolSize() int { return 1 }
