package index

import (
	"context"
	"errors"
	"reflect"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// clauseQuery is Bleve's term query of one term on one field, with the
// term's postings in that field read once, after the index is built: the
// index never changes after New, and opening a term's dictionary,
// postings list and iterator at every search was most of what Bleve spent
// on a small FAQ. Bleve still scores and collects them (its own term
// searcher, on the same numbers), so hits and scores are those of
// query.TermQuery. Without postings (a large FAQ) it is that query.
type clauseQuery struct {
	term, field string
	boost       *query.Boost
	post        []posting // by internal document number; nil: read from the index
	count       uint64
}

// posting is what Bleve's term field reader gives for one document.
type posting struct {
	doc  uint64
	freq uint64
	norm float64
}

func (q *clauseQuery) Searcher(ctx context.Context, i index.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if q.post == nil {
		return searcher.NewTermSearcher(ctx, i, q.term, q.field, q.boost.Value(), options)
	}
	if s := newClauseSearcher(ctx, q, options); s != nil {
		return s, nil
	}
	bm, ok := i.(index.BM25Reader)
	if !ok {
		return searcher.NewTermSearcher(ctx, i, q.term, q.field, q.boost.Value(), options)
	}
	r := &replay{reader: replayReader{BM25Reader: bm}, tfr: replayTFR{q: q}}
	r.reader.r = r
	return searcher.NewTermSearcher(ctx, &r.reader, q.term, q.field, q.boost.Value(), options)
}

// replay is one search's reader of one clause: one allocation.
type replay struct {
	reader replayReader
	tfr    replayTFR
}

// replayReader is the search's index reader, but for the clause's term,
// whose postings it replays.
type replayReader struct {
	index.BM25Reader
	r *replay
}

func (rr *replayReader) TermFieldReader(ctx context.Context, term []byte, field string, includeFreq, includeNorm, includeTermVectors bool) (index.TermFieldReader, error) {
	q := rr.r.tfr.q
	if includeTermVectors || field != q.field || string(term) != q.term {
		return rr.BM25Reader.TermFieldReader(ctx, term, field, includeFreq, includeNorm, includeTermVectors)
	}
	t := &rr.r.tfr
	t.freq, t.norm = includeFreq, includeNorm
	return t, nil
}

// replayTFR replays a clause's postings as Bleve's term field reader gives
// them.
type replayTFR struct {
	q          *clauseQuery
	pos        int
	freq, norm bool
	id         [8]byte // the ID of the term searcher's reused document
}

var reflectSizeReplayTFR = int(reflect.TypeFor[replayTFR]().Size())

func (t *replayTFR) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if t.pos >= len(t.q.post) {
		return nil, nil
	}
	rv := pre
	if rv == nil {
		rv = &index.TermFieldDoc{}
	} else if cap(rv.ID) < len(t.id) {
		// A document the caller reuses: its ID can be the reader's.
		rv.ID = t.id[:0]
	}
	p := &t.q.post[t.pos]
	t.pos++
	rv.ID = index.NewIndexInternalID(rv.ID, p.doc)
	if t.freq {
		rv.Freq = p.freq
	}
	if t.norm {
		rv.Norm = p.norm
	}
	return rv, nil
}

// Advance goes to the first document at or after id, backwards too.
func (t *replayTFR) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	n := id.Value()
	t.pos = sort.Search(len(t.q.post), func(k int) bool { return t.q.post[k].doc >= n })
	return t.Next(pre)
}

func (t *replayTFR) Count() uint64 { return t.q.count }
func (t *replayTFR) Close() error  { return nil }
func (t *replayTFR) Size() int     { return reflectSizeReplayTFR }

// readPostings reads every clause's postings from the built index, unless
// the FAQ is too large for them to be worth their memory (a large FAQ's
// searches are spent in the postings themselves, not in opening them).
func readPostings(bi bleve.Index, clauses map[string][]query.Query, nEntries int) error {
	if nEntries > maxPostingEntries {
		return nil
	}
	adv, err := bi.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	if _, ok := r.(index.BM25Reader); !ok {
		return nil
	}
	var qs []*clauseQuery
	total := 0
	ctx := context.Background()
	for _, cs := range clauses {
		for _, c := range cs {
			q := c.(*clauseQuery)
			tfr, err := r.TermFieldReader(ctx, []byte(q.term), q.field, true, true, false)
			if err != nil {
				return err
			}
			q.count = tfr.Count()
			var post []posting
			for {
				d, err := tfr.Next(nil)
				if err != nil {
					tfr.Close()
					return err
				}
				if d == nil {
					break
				}
				post = append(post, posting{doc: d.ID.Value(), freq: d.Freq, norm: d.Norm})
			}
			tfr.Close()
			if uint64(len(post)) != q.count {
				return errors.New("index: postings do not match their count")
			}
			q.post = post // nil when empty: read from the index
			qs = append(qs, q)
			if total += len(post); total > maxPostings {
				for _, q := range qs {
					q.post = nil
				}
				return nil
			}
		}
	}
	return nil
}

// leanDisjunction is Bleve's disjunction of the clauses, whose pool of
// document matches is sized to what it holds at once: each clause's
// current match and the one it returns (Bleve reserves two a clause, most
// of a search's allocation). The pool only lends matches, and makes one
// when short, so hits and scores are the same.
type leanDisjunction struct{ *query.DisjunctionQuery }

func (q leanDisjunction) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := q.DisjunctionQuery.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	return &leanSearcher{Searcher: s, pool: len(q.Disjuncts) + 1}, nil
}

type leanSearcher struct {
	search.Searcher
	pool int
}

func (s *leanSearcher) DocumentMatchPoolSize() int {
	return min(s.pool, s.Searcher.DocumentMatchPoolSize())
}
