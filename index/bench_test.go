package index_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
)

// searchLatencies runs queries round-robin inside b.Loop and reports the
// median and 99th percentile of one search.
func searchLatencies(b *testing.B, ix *index.Index, queries []string) {
	b.Helper()
	ctx := context.Background()
	var lat []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if _, err := ix.Search(ctx, queries[i%len(queries)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "µs-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "µs-p99")
}

// BenchmarkSearchOfficial: the official FAQ, the development questions.
// Target: median under 100 µs.
func BenchmarkSearchOfficial(b *testing.B) {
	ix := official(b)
	var qs []string
	for _, q := range index.ReadDevQuestions(b) {
		qs = append(qs, q)
	}
	searchLatencies(b, ix, qs)
}

// BenchmarkSearchChat: the official FAQ, the chat-style development
// messages (context before the question, several sentences), whose
// sentences are each a view of the decision.
func BenchmarkSearchChat(b *testing.B) {
	ix := official(b)
	f, err := os.Open("../testdata/dev_questions_chat.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	set, err := index.ReadQuestions(f)
	if err != nil {
		b.Fatal(err)
	}
	var qs []string
	for _, q := range set {
		qs = append(qs, q.Q)
	}
	searchLatencies(b, ix, qs)
}

// genKB makes a synthetic FAQ of n entries from the official vocabulary plus
// made-up words, so that terms are shared the way real entries share them.
func genKB(n int, seed uint64) (*faq.KB, []string) {
	def, _ := faq.Default()
	r := rand.New(rand.NewPCG(seed, 1))
	var vocab []string
	for _, e := range def.Entries {
		vocab = append(vocab, strings.Fields(e.Answer)...)
	}
	syll := []string{"ra", "to", "mi", "ne", "lu", "ca", "pe", "do", "si", "vo", "ter", "ban", "gri", "sol", "ment", "tion"}
	for range 20000 {
		w := ""
		for range 2 + r.IntN(3) {
			w += syll[r.IntN(len(syll))]
		}
		vocab = append(vocab, w)
	}
	words := func(k int) string {
		s := make([]string, k)
		for i := range s {
			s[i] = vocab[r.IntN(len(vocab))]
		}
		return strings.Join(s, " ")
	}
	kb := &faq.KB{Doc: def.Doc, Synonyms: def.Synonyms}
	var queries []string
	for i := range n {
		e := faq.Entry{ID: fmt.Sprintf("e%05d", i), Question: words(6+r.IntN(7)) + " ?", Answer: words(40 + r.IntN(80))}
		for range 3 {
			e.Alternates = append(e.Alternates, words(6+r.IntN(5)))
		}
		for range 4 {
			e.Keywords = append(e.Keywords, words(1+r.IntN(2)))
		}
		kb.Entries = append(kb.Entries, e)
		if i%10 == 0 {
			q := strings.Fields(e.Question)
			queries = append(queries, strings.Join(q[:len(q)/2], " ")+" "+words(3))
		}
	}
	return kb, queries
}

// BenchmarkBuild10k: building the index of a 10,000-entry FAQ. Target:
// under 10 s, heap under 300 MB (run it alone: other benchmarks' indexes stay live).
func BenchmarkBuild10k(b *testing.B) {
	kb, _ := genKB(10000, 1)
	var heap uint64
	for b.Loop() {
		ix, err := index.New(kb, index.Options{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapAlloc)
		ix.Close()
	}
	b.ReportMetric(float64(heap)/(1<<20), "MB-heap")
}

// BenchmarkSearch10k: searching a 10,000-entry FAQ. Target: p99 under 2 ms.
func BenchmarkSearch10k(b *testing.B) {
	kb, queries := genKB(10000, 1)
	ix, err := index.New(kb, index.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	searchLatencies(b, ix, queries)
}
