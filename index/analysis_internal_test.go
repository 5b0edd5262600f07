package index

import (
	"math"
	"slices"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

func TestEnglishStopWords(t *testing.T) {
	t.Parallel()
	ix := defaultIndex(t)
	tests := []struct {
		q          string
		english    bool
		has, lacks []string // terms after analysis
	}{
		// English function words the French list lacks no longer weigh as
		// unknown words.
		{"Will the freeze be over once the pilot ends, or only after more reviews?", true, []string{"suspension", "dure"}, []string{"once", "only", "after", "more"}},
		// A French question is not read as English.
		{"c'est quoi le but de la suspension, une fois que tout est fini?", false, []string{"pourquoi"}, nil},
	}
	for _, tt := range tests {
		toks := ix.chain.Tokenizer.Tokenize([]byte(tt.q))
		for _, f := range ix.chain.TokenFilters[:nPreFilters] {
			toks = f.Filter(toks)
		}
		if got := looksEnglish(toks); got != tt.english {
			t.Errorf("looksEnglish(%q) = %v", tt.q, got)
		}
		var terms []string
		ats, _ := ix.analyzeQuery(tt.q)
		for _, at := range ats {
			terms = append(terms, at.term)
		}
		for _, w := range tt.has {
			if !slices.Contains(terms, w) {
				t.Errorf("%q: terms %q lack %q", tt.q, terms, w)
			}
		}
		for _, w := range tt.lacks {
			if slices.Contains(terms, w) {
				t.Errorf("%q: terms %q hold %q", tt.q, terms, w)
			}
		}
	}
}

// A word found in a single alternate question of an entry is weak evidence:
// one employee happened to use it.
func TestSingleAlternateCredit(t *testing.T) {
	t.Parallel()
	kb := &faq.KB{Entries: []faq.Entry{
		{ID: "cafe", Question: "OÙ EST LE CAFÉ ?", Answer: "Au 3e étage.",
			Alternates: []string{"on prend un café avant la réunion?", "la machine à espresso est où?", "espresso gratuit?"}},
		{ID: "parking", Question: "OÙ SE GARER ?", Answer: "Stationnement P2.", Alternates: []string{"où laisser ma voiture?"}},
	}}
	ix, err := New(kb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want float64
	}{
		{"réunion", altOnceCredit}, // one alternate
		{"espresso", 1},            // two alternates
		{"café", 1},                // the question
	}
	for _, tt := range tests {
		text, _ := clean(tt.q)
		if got := ix.coverage(0, ix.queryTerms(text)); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("coverage of %q = %v, want %v", tt.q, got, tt.want)
		}
	}
	res, err := ix.Search(t.Context(), "la réunion")
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision != Fallback {
		t.Errorf("a word of a single alternate answered: %+v", res)
	}
}

// An unknown word weighs less in an English question than in a French one.
func TestEnglishUnknownWeight(t *testing.T) {
	t.Parallel()
	ix := defaultIndex(t)
	unknownWeight := func(q string) float64 {
		for _, qt := range ix.queryTerms(q) {
			if ix.df[qt.term] == 0 {
				return qt.weight
			}
		}
		t.Fatalf("%q: no unknown term", q)
		return 0
	}
	fr, en := unknownWeight("le zorblax de la suspension"), unknownWeight("what is the zorblax of the suspension")
	if math.Abs(en-englishUnknown*fr) > 1e-9 {
		t.Errorf("unknown word: English %v, French %v", en, fr)
	}
}

// Modal verbs and chat fillers carry no topic: no unknown word is left.
func TestFillers(t *testing.T) {
	t.Parallel()
	ix := defaultIndex(t)
	for _, q := range []string{"ils devront pareil, pour vrai, hein", "how much is it gonna be anyway"} {
		if got := ix.Terms(q); len(got) != 0 {
			t.Errorf("Terms(%q) = %q, want none", q, got)
		}
	}
}

// An unknown inflection of a known verb reads as the verb.
func TestVerbInflections(t *testing.T) {
	t.Parallel()
	ix := defaultIndex(t)
	tests := []struct{ q, want string }{
		{"ils bloquaient", "suspension"}, // bloquer
		{"ils arrêtent", "suspension"},   // arrêter
	}
	for _, tt := range tests {
		if got := ix.Terms(tt.q); !slices.Contains(got, tt.want) {
			t.Errorf("Terms(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
	if got := verbRoot("bloquent"); got != verbRoot("bloquer") {
		t.Errorf("verbRoot: %q, %q", got, verbRoot("bloquer"))
	}
}

// defaultIndex builds an index over the embedded FAQ.
func defaultIndex(t testing.TB) *Index {
	t.Helper()
	kb, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := New(kb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}
