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
// sorted by score, without its bookkeeping: the searcher is Bleve's (BM25,
// same options), and the n best are kept in the order of its collector (by
// score, then in the order found), so hits and scores are the same.
// Skipped is what no search here uses: stored fields and external ids
// loaded for each hit, cost and time statistics, and the document count
// and field lengths read again for every clause (they are read once, the
// index never changes after New).
type collect struct {
	m     mapping.IndexMapping
	idx   index.Index
	stats *search.BM25Stats
	entry map[uint64]int // Bleve document number -> entry

	mu     sync.RWMutex
	closed bool
}

// hit is a document found and its score.
type hit struct {
	entry int
	score float64
}

// matchPools hold the document matches of finished searches: a score and
// a document number each, reset when given back.
var matchPools sync.Pool

var bm25Model = search.GetScoringModelCallbackFn(func() string { return index.BM25Scoring })

// newCollect reads the statistics of the built index; byID gives the entry
// of each document id.
func newCollect(bi bleve.Index, fields []string, byID map[string]int) (*collect, error) {
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
	c := &collect{m: bi.Mapping(), idx: idx, stats: stats, entry: make(map[uint64]int, len(byID))}
	for id, i := range byID {
		in, err := r.InternalID(id)
		if err != nil {
			return nil, err
		}
		if in != nil {
			c.entry[in.Value()] = i
		}
	}
	return c, nil
}

// search appends to dst the n best hits of q, best first (entry -1: a
// document of no entry).
func (c *collect) search(ctx context.Context, q query.Query, n int, dst []hit) ([]hit, error) {
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
	// Each match goes back to the pool once read: the searcher's own and
	// the one it returns are all it needs. A search run to its end has
	// them all back (Bleve's searchers give back each match they pass),
	// so its pool serves the next search once the searcher is closed.
	pool, _ := matchPools.Get().(*search.DocumentMatchPool)
	finished := false
	defer func() {
		if finished {
			matchPools.Put(pool)
		}
	}()
	s, err := q.Searcher(ctx, r, c.m, search.SearcherOptions{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if pool == nil {
		pool = search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0)
	}
	sctx := &search.SearchContext{DocumentMatchPool: pool, IndexReader: r}
	base := len(dst)
	for found := uint64(0); ; found++ {
		if found%collector.CheckDoneEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		d, err := s.Next(sctx)
		if err != nil {
			return nil, err
		}
		if d == nil {
			finished = true
			break
		}
		h := hit{entry: -1, score: d.Score}
		if i, ok := c.entry[d.IndexInternalID.Value()]; ok {
			h.entry = i
		}
		sctx.DocumentMatchPool.Put(d)
		top := dst[base:]
		k := len(top)
		for k > 0 && top[k-1].score < h.score {
			k--
		}
		if k >= n {
			continue
		}
		if len(top) < n {
			dst = append(dst, hit{})
			top = dst[base:]
		}
		copy(top[k+1:], top[k:len(top)-1])
		top[k] = h
	}
	return dst, nil
}

func (c *collect) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}
