package index

import (
	"context"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// devClauses calls f with the clauses of each view (whole message, question)
// of each development question, and the Bleve term queries they stand for.
func devClauses(t *testing.T, ix *Index, f func(text string, clauses, terms []query.Query)) {
	t.Helper()
	for _, q := range readDevSet(t) {
		text, _ := clean(stripMentions(q.Q))
		r := ix.read(text, nil)
		for _, v := range []*view{&r.whole, &r.question} {
			var clauses, terms []query.Query
			for _, tt := range v.terms {
				if tt.unknown {
					continue
				}
				for _, c := range ix.clauses[tt.term] {
					cq := c.(*clauseQuery)
					clauses = append(clauses, c)
					terms = append(terms, &query.TermQuery{Term: cq.term, FieldVal: cq.field, BoostVal: cq.boost})
				}
			}
			f(text, clauses, terms)
		}
	}
}

// TestClausePostingsScoreAsTermQueries: with the clauses' postings read
// once (and the search's disjunction with its smaller pool of matches),
// Bleve returns the hits and scores of its own term queries, to the bit,
// for disjunctions (the search) and conjunctions (which skip with
// Advance), so retrieval decides exactly as it did by reading the index.
func TestClausePostingsScoreAsTermQueries(t *testing.T) {
	ix := defaultIndex(t)
	defer ix.Close()
	ctx := context.Background()
	run := func(q query.Query) *bleve.SearchResult {
		t.Helper()
		sr, err := ix.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, len(ix.kb.Entries), 0, false))
		if err != nil {
			t.Fatal(err)
		}
		return sr
	}
	same := func(text string, a, b *bleve.SearchResult) {
		t.Helper()
		if len(a.Hits) != len(b.Hits) {
			t.Fatalf("%q: %d hits replayed, %d read", text, len(a.Hits), len(b.Hits))
		}
		for k := range a.Hits {
			if a.Hits[k].ID != b.Hits[k].ID || a.Hits[k].Score != b.Hits[k].Score {
				t.Fatalf("%q: hit %d is %s %v replayed, %s %v read", text, k, a.Hits[k].ID, a.Hits[k].Score, b.Hits[k].ID, b.Hits[k].Score)
			}
		}
	}
	replayed, searches := 0, 0
	devClauses(t, ix, func(text string, clauses, terms []query.Query) {
		for _, c := range clauses {
			if c.(*clauseQuery).post != nil {
				replayed++
			}
		}
		if len(clauses) < 2 {
			return
		}
		searches++
		same(text, run(leanDisjunction{query.NewDisjunctionQuery(clauses)}), run(query.NewDisjunctionQuery(terms)))
		same(text, run(query.NewConjunctionQuery(clauses[:2])), run(query.NewConjunctionQuery(terms[:2])))
	})
	if replayed == 0 || searches < 50 {
		t.Fatalf("%d clauses replayed in %d searches: the official FAQ's postings were not read", replayed, searches)
	}
}

// TestCollectAsSearchInContext: the search's own run of Bleve's searcher
// and collector returns what SearchInContext returns for Bleve's term
// queries, hits and scores to the bit.
func TestCollectAsSearchInContext(t *testing.T) {
	ix := defaultIndex(t)
	ctx := context.Background()
	searches := 0
	devClauses(t, ix, func(text string, clauses, terms []query.Query) {
		if len(clauses) == 0 {
			return
		}
		searches++
		type pair struct{ got, want query.Query }
		runs := []pair{{leanDisjunction{query.NewDisjunctionQuery(clauses)}, query.NewDisjunctionQuery(terms)}}
		if len(clauses) >= 2 { // a conjunction skips with Advance
			runs = append(runs, pair{query.NewConjunctionQuery(clauses[:2]), query.NewConjunctionQuery(terms[:2])})
		}
		for _, run := range runs {
			for _, n := range []int{maxCandidates, len(ix.kb.Entries)} {
				got, err := ix.coll.search(ctx, run.got, n, nil)
				if err != nil {
					t.Fatal(err)
				}
				want, err := ix.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(run.want, n, 0, false))
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want.Hits) {
					t.Fatalf("%q: %d hits, SearchInContext %d", text, len(got), len(want.Hits))
				}
				for k := range got {
					if i, ok := ix.byID[want.Hits[k].ID]; !ok || got[k].entry != i || got[k].score != want.Hits[k].Score {
						t.Fatalf("%q: hit %d is entry %d %v, SearchInContext %s %v", text, k, got[k].entry, got[k].score, want.Hits[k].ID, want.Hits[k].Score)
					}
				}
			}
		}
	})
	if searches < 50 {
		t.Fatalf("only %d searches", searches)
	}
	// The searches above scored the replayed clauses themselves.
	sctx := context.WithValue(context.WithValue(ctx, search.GetScoringModelCallbackKey, bm25Model), search.BM25StatsKey, ix.coll.stats)
	for _, cs := range ix.clauses {
		if cq := cs[0].(*clauseQuery); cq.post != nil && newClauseSearcher(sctx, cq, search.SearcherOptions{}) == nil {
			t.Fatalf("clause %s:%s not scored by clauseSearcher", cq.field, cq.term)
		}
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.coll.search(ctx, query.NewMatchNoneQuery(), 1, nil); err != bleve.ErrorIndexClosed {
		t.Errorf("search after Close: %v, want %v", err, bleve.ErrorIndexClosed)
	}
}
