package index

import (
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
		ats, _ := ix.analyze(tt.q)
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

// "j'ai" is a verb, never "AI" (IAG).
func TestElidedStopWordIsNotSynonym(t *testing.T) {
	t.Parallel()
	ix := defaultIndex(t)
	if got := ix.Terms("j'ai une question pour le VPN"); slices.Contains(got, "iag") {
		t.Errorf("Terms = %q: j'ai read as AI", got)
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

// The table fold agrees with the NFD fold it replaces.
func TestFoldTable(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Éléphant à l'œil", "où ça, garçon ? Ça coûte", "naïveté Noël", "Ångström ł ő ű",
		"l’IA d’État", "ñandú", "日本語 é", "ﬁn", "e\u0301te\u0301"} {
		if got, want := fold(s), foldSlow(s); got != want {
			t.Errorf("fold(%q) = %q, want %q", s, got, want)
		}
	}
}
