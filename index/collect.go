package index

import (
	"context"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// collect runs a query as Bleve's SearchInContext runs a request of size n
// sorted by score, without its bookkeeping: the searcher (BM25, same
// options) and the top-n collector are Bleve's, so hits and scores are the
// same. Skipped is what no search here uses: stored fields loaded for each
// hit, cost and time statistics, and the document count and field lengths
// read again for every clause (they are read once, the index never
// changes after New).
type collect struct {
	m     mapping.IndexMapping
	idx   index.Index
	stats *search.BM25Stats

	mu     sync.RWMutex
	closed bool
}

var bm25Model = search.GetScoringModelCallbackFn(func() string { return index.BM25Scoring })

func newCollect(bi bleve.Index, fields []string) (*collect, error) {
	idx, err := bi.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := idx.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	n, err := r.DocCount()
	if err != nil {
		return nil, err
	}
	stats := &search.BM25Stats{DocCount: float64(n), FieldCardinality: make(map[string]int, len(fields))}
	if bm, ok := r.(index.BM25Reader); ok {
		for _, f := range fields {
			if stats.FieldCardinality[f], err = bm.FieldCardinality(f); err != nil {
				return nil, err
			}
		}
	} else {
		stats = nil
	}
	return &collect{m: bi.Mapping(), idx: idx, stats: stats}, nil
}

// search returns the n best hits of q, best first.
func (c *collect) search(ctx context.Context, q query.Query, n int) (search.DocumentMatchCollection, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return nil, bleve.ErrorIndexClosed
	}
	r, err := c.idx.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey, bm25Model)
	if c.stats != nil {
		ctx = context.WithValue(ctx, search.BM25StatsKey, c.stats)
	}
	s, err := q.Searcher(ctx, r, c.m, search.SearcherOptions{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	coll := collector.NewTopNCollector(n, 0, search.SortOrder{&search.SortScore{Desc: true}})
	if err := coll.Collect(ctx, s, r); err != nil {
		return nil, err
	}
	return coll.Results(), nil
}

func (c *collect) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}
