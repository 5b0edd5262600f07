package index_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
)

// outcome is everything a search decides, to compare two indexes. Bleve
// scores are rounded: two builds of one index may differ in their last bit
// (the order of a float sum), and they are evidence only through the
// candidates they rank.
type outcome struct {
	Decision  index.Decision
	Conf      float64
	OffTopic  bool
	Truncated bool
	IDs       []string
	Scores    []float64
	Confs     []float64
}

func outcomes(t *testing.T, ix *index.Index, qs []string) []outcome {
	t.Helper()
	out := make([]outcome, len(qs))
	for k, q := range qs {
		res, err := ix.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		o := outcome{Decision: res.Decision, Conf: res.Confidence, OffTopic: res.OffTopic, Truncated: res.Truncated}
		for _, h := range res.Hits {
			o.IDs, o.Scores, o.Confs = append(o.IDs, h.Entry.ID), append(o.Scores, float64(float32(h.Score))), append(o.Confs, h.Confidence)
		}
		out[k] = o
	}
	return out
}

// reloaded is a's encoding decoded, as a cache file gives it back.
func reloaded(t *testing.T, a *index.Analysis) *index.Analysis {
	t.Helper()
	b, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back index.Analysis
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatalf("UnmarshalBinary of MarshalBinary: %v", err)
	}
	again, _ := back.MarshalBinary()
	if !bytes.Equal(b, again) {
		t.Fatal("the analysis does not encode the same after a round trip")
	}
	return &back
}

// smallKB is a few entries of the official FAQ with their examples: a
// content the embedded model was not trained on, so New trains.
func smallKB(t *testing.T) *faq.KB {
	t.Helper()
	def, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	kb := &faq.KB{Doc: def.Doc, Synonyms: def.Synonyms, Entries: def.Entries[:4]}
	ids := map[string]bool{}
	for _, e := range kb.Entries {
		ids[e.ID] = true
	}
	for _, x := range def.Examples {
		if (ids[x.Entry] || x.Entry == "") && len(kb.Examples) < 150 {
			kb.Examples = append(kb.Examples, x)
		}
	}
	return kb
}

// An index built from a saved analysis decides exactly as one that
// analysed the FAQ itself: same decisions, scores and probabilities, and
// the same model when it trains.
func TestSavedAnalysisDecidesTheSame(t *testing.T) {
	t.Parallel()
	qs := append(index.ReadDevQuestions(t), "", "copilot", "Bonjour @marie, on peut-tu utiliser ChatGPT? Merci!", "suspention du moratoire svp")
	fresh := official(t)
	cached, err := index.New(fresh.KB(), index.Options{Analysis: reloaded(t, fresh.Analysis())})
	if err != nil {
		t.Fatal(err)
	}
	defer cached.Close()
	if got, want := outcomes(t, cached, qs), outcomes(t, fresh, qs); !reflect.DeepEqual(got, want) {
		for k := range got {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("%q: from a saved analysis %+v, analysed %+v", qs[k], got[k], want[k])
			}
		}
	}

	kb := smallKB(t)
	trained, err := index.New(kb, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer trained.Close()
	if index.IsEmbeddedModel(trained.Model()) {
		t.Fatal("the small FAQ uses the embedded model: the test does not train")
	}
	again, err := index.New(kb, index.Options{Analysis: reloaded(t, trained.Analysis())})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if !reflect.DeepEqual(again.Model(), trained.Model()) {
		t.Error("trained from a saved analysis, the model differs")
	}
	if got, want := outcomes(t, again, qs), outcomes(t, trained, qs); !reflect.DeepEqual(got, want) {
		for k := range got {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("small FAQ, %q: from a saved analysis %+v, analysed %+v", qs[k], got[k], want[k])
			}
		}
	}
}

// An analysis of other content is not used: the index analyses its own.
func TestStaleAnalysisIgnored(t *testing.T) {
	t.Parallel()
	fresh := official(t)
	def := fresh.KB()
	kb := *def
	kb.Entries = append([]faq.Entry{}, def.Entries...)
	kb.Entries[2].Alternates = append(append([]string{}, kb.Entries[2].Alternates...), "le dialogueur en ligne est-il permis au bureau")
	stale, err := index.New(&kb, index.Options{Analysis: fresh.Analysis(), Model: fresh.Model()})
	if err != nil {
		t.Fatal(err)
	}
	defer stale.Close()
	if stale.Analysis() == fresh.Analysis() {
		t.Fatal("the analysis of other content was used")
	}
	own, err := index.New(&kb, index.Options{Model: stale.Model()})
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	qs := []string{"le dialogueur en ligne est-il permis au bureau", "Puis-je utiliser ChatGPT ?"}
	if got, want := outcomes(t, stale, qs), outcomes(t, own, qs); !reflect.DeepEqual(got, want) {
		t.Errorf("given a stale analysis %+v, own analysis %+v", got, want)
	}
}

// A damaged or foreign file is refused, never half read.
func TestAnalysisUnmarshalRefuses(t *testing.T) {
	t.Parallel()
	good, err := official(t).Analysis().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty":        nil,
		"other file":   []byte(`{"content":"x"}`),
		"magic only":   good[:22],
		"truncated":    good[:len(good)/2],
		"one byte off": good[:len(good)-1],
		"extra byte":   append(append([]byte{}, good...), 0),
	}
	for name, b := range tests {
		var a index.Analysis
		if err := a.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzAnalysisUnmarshal(f *testing.F) {
	kb := smallKBFuzz(f)
	ix, err := index.New(kb, index.Options{})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := ix.Analysis().MarshalBinary()
	ix.Close()
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Fuzz(func(t *testing.T, b []byte) {
		var a index.Analysis
		if a.UnmarshalBinary(b) != nil {
			return
		}
		// Whatever decodes is safe to give New: an error at worst, never
		// a panic.
		if ix, err := index.New(kb, index.Options{Analysis: &a}); err == nil {
			ix.Close()
		}
	})
}

// smallKBFuzz: two entries, no examples, for a quick fuzz loop.
func smallKBFuzz(f *testing.F) *faq.KB {
	def, err := faq.Default()
	if err != nil {
		f.Fatal(err)
	}
	return &faq.KB{Doc: def.Doc, Synonyms: def.Synonyms[:3], Entries: def.Entries[:2]}
}

// knownTerms is Terms without its unknown words, as a set.
func TestKnownTermsAreTermsKnown(t *testing.T) {
	t.Parallel()
	ix := official(t)
	for _, q := range append(index.ReadDevQuestions(t), "", "@bob suspention du moratoire ?? merci", "what's the MCN's email") {
		want := map[string]bool{}
		for _, term := range ix.Terms(q) {
			if !strings.HasSuffix(term, "?") {
				want[term] = true
			}
		}
		if got := index.KnownTerms(ix, q); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: knownTerms %v, Terms %v", q, got, want)
		}
	}
}
