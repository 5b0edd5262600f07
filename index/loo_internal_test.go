package index

import (
	"math"
	"slices"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

// TestHoldoutIsExact: the term log-ratios of a message, with one phrasing
// or one out-of-scope example held out, are those of an index built
// without it; else training would read evidence a real message never
// gives.
func TestHoldoutIsExact(t *testing.T) {
	t.Parallel()
	kb, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	full, err := New(kb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	const msg = "est-ce que la suspension des assistants virtuels touche notre organisme public ?"
	const entry, alt = 3, 2 // an alternate of the fourth entry
	// An out-of-scope example that shares terms with the message, and its
	// index among the out-of-scope ones.
	msgTerms := full.terms(msg)
	oos, nth := -1, 0
	for k, x := range kb.Examples {
		if x.Entry != "" {
			continue
		}
		if slices.ContainsFunc(full.terms(x.Text), func(t string) bool { return slices.Contains(msgTerms, t) }) {
			oos = k
			break
		}
		nth++
	}
	if oos < 0 {
		t.Fatal("no out-of-scope example shares a term with the message")
	}
	tests := []struct {
		name string
		h    *holdout
		text string
		drop func(*faq.KB)
	}{
		{"alternate", &holdout{entry: entry, phr: alt + 1, example: -1}, kb.Entries[entry].Alternates[alt], func(k *faq.KB) {
			e := k.Entries[entry]
			e.Alternates = slices.Delete(slices.Clone(e.Alternates), alt, alt+1)
			k.Entries = slices.Clone(k.Entries)
			k.Entries[entry] = e
		}},
		{"out-of-scope example", &holdout{entry: -1, phr: -1, example: nth}, kb.Examples[oos].Text, func(k *faq.KB) {
			k.Examples = slices.Delete(slices.Clone(k.Examples), oos, oos+1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.h.terms = map[string]bool{}
			for _, term := range full.terms(tt.text) {
				tt.h.terms[term] = true
			}
			k := *kb
			tt.drop(&k)
			without, err := New(&k, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer without.Close()
			text, _ := clean(msg)
			a, b := full.read(text, tt.h), without.read(text, nil)
			if math.Abs(a.whole.oosNB-b.whole.oosNB) > 1e-9 {
				t.Errorf("out-of-scope log-ratio %v held out, %v without", a.whole.oosNB, b.whole.oosNB)
			}
			accA, accB := make([]float64, 2*max(full.maxPhr, full.nOOS)), make([]float64, 2*max(without.maxPhr, without.nOOS))
			for i := range kb.Entries {
				ea, eb := full.evidence(i, &a.whole, tt.h, accA), without.evidence(i, &b.whole, nil, accB)
				if math.Abs(ea.nb-eb.nb) > 1e-9 {
					t.Errorf("%s: log-ratio %v held out, %v without", kb.Entries[i].ID, ea.nb, eb.nb)
				}
			}
		})
	}
}
