package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

// TestCrossValidation measures how well tuning from written questions
// carries over to questions nobody tuned for (XVAL=1 go test -run
// CrossValidation -v ./index/). The question sets are split by file, each
// file written in its own rounds: the in-scope questions of one half are
// added as alternates of their entries, and only the other half is scored,
// in both directions, next to the score without the added alternates. A
// scored question is always removed from the FAQ's alternates first (the
// paraphrase bank holds the written rounds), so "-" rows score each set
// with the bank of the others. XVAL_SETS (comma-separated paths) replaces
// the default halves; XVAL_SCORE adds sets that are only scored; XVAL_FAQ
// reads the FAQ from a directory (an older version, to compare);
// XVAL_ROUNDS=1 also scores each round of 66 with the others as alternates;
// XVAL_SHOW=1 lists the misses.
func TestCrossValidation(t *testing.T) {
	if os.Getenv("XVAL") == "" {
		t.Skip("set XVAL=1 to run the cross-validation experiment")
	}
	halves := []string{"../testdata/extra_questions.jsonl", "../testdata/search2_questions.jsonl"}
	if s := os.Getenv("XVAL_SETS"); s != "" {
		halves = strings.Split(s, ",")
	}
	var scoreOnly []string
	if s := os.Getenv("XVAL_SCORE"); s != "" {
		scoreOnly = strings.Split(s, ",")
	}
	base, err := faq.Default()
	if d := os.Getenv("XVAL_FAQ"); d != "" {
		base, err = faq.LoadDir(d)
	}
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string][]devQuestion{}
	for _, p := range append(append([]string{}, halves...), scoreOnly...) {
		t.Setenv("DEVSET", p)
		sets[p] = readDevSet(t)
	}
	// A scored question is never its own alternate: the FAQ's paraphrase
	// bank holds the written rounds, so each scored set is first removed
	// from it.
	score := func(kb *faq.KB, qs []devQuestion) evalScore {
		ix, err := New(withoutAlternates(kb, qs), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		return evaluate(t, ix, qs)
	}
	show := func(r evalScore) {
		if os.Getenv("XVAL_SHOW") != "" {
			for _, m := range r.missed {
				fmt.Println("   ", m)
			}
		}
	}
	fmt.Printf("%-34s %-34s %s\n", "tuned on (as alternates)", "scored on", "result")
	var heldOut evalScore
	for _, held := range append(append([]string{}, halves...), scoreOnly...) {
		r := score(base, sets[held])
		fmt.Printf("%-34s %-34s %s\n", "-", filepath.Base(held), r)
		show(r)
		heldOut = heldOut.add(r)
	}
	fmt.Printf("calibration of the rows above (best entry right / questions):%s\n", heldOut.calibration())
	for _, tune := range halves {
		kb := withAlternates(base, sets[tune])
		for _, held := range append(append([]string{}, halves...), scoreOnly...) {
			if held == tune {
				continue
			}
			r := score(kb, sets[held])
			fmt.Printf("%-34s %-34s %s\n", filepath.Base(tune), filepath.Base(held), r)
			show(r)
		}
	}
	// Rounds: the halves cut into consecutive chunks of about one round of
	// writing each (66 questions), every chunk scored with the alternates
	// of all the others.
	if os.Getenv("XVAL_ROUNDS") != "" {
		var pool []devQuestion
		for _, h := range halves {
			pool = append(pool, sets[h]...)
		}
		var before, after evalScore
		for lo := 0; lo < len(pool); lo += 66 {
			hi := min(lo+66, len(pool))
			rest := append(append([]devQuestion{}, pool[:lo]...), pool[hi:]...)
			b, a := score(base, pool[lo:hi]), score(withAlternates(base, rest), pool[lo:hi])
			fmt.Printf("round %4d-%-4d  before %s\n                after  %s\n", lo, hi, b, a)
			before, after = before.add(b), after.add(a)
		}
		fmt.Printf("all rounds      before %s\n                after  %s\n", before, after)
	}
	// Every half together, scored on the sets that are only scored.
	var all []devQuestion
	for _, h := range halves {
		all = append(all, sets[h]...)
	}
	kb := withAlternates(base, all)
	for _, held := range scoreOnly {
		r := score(kb, sets[held])
		fmt.Printf("%-34s %-34s %s\n", "all halves", filepath.Base(held), r)
		show(r)
	}
}

// withoutAlternates copies kb without the alternates that are questions of qs.
func withoutAlternates(kb *faq.KB, qs []devQuestion) *faq.KB {
	drop := make(map[string]bool, len(qs))
	for _, q := range qs {
		drop[strings.ToLower(strings.TrimSpace(q.Q))] = true
	}
	out := *kb
	out.Entries = make([]faq.Entry, len(kb.Entries))
	for i, e := range kb.Entries {
		e.Alternates = slices.DeleteFunc(slices.Clone(e.Alternates), func(a string) bool {
			return drop[strings.ToLower(strings.TrimSpace(a))]
		})
		out.Entries[i] = e
	}
	return &out
}

// withAlternates copies kb with the in-scope questions of qs added to their
// entries' alternates.
func withAlternates(kb *faq.KB, qs []devQuestion) *faq.KB {
	out := *kb
	out.Entries = make([]faq.Entry, len(kb.Entries))
	for i, e := range kb.Entries {
		e.Alternates = append([]string{}, e.Alternates...)
		for _, q := range qs {
			if q.Expect == e.ID {
				e.Alternates = append(e.Alternates, q.Q)
			}
		}
		out.Entries[i] = e
	}
	return &out
}

type evalScore struct {
	in, inRight, inFallback, out, outFallback, wrong int
	missed                                           []string
	// bins[b]: questions whose best entry has a confidence in [b/5,
	// (b+1)/5), and how many of those best entries are right.
	bins, binsRight [5]int
}

func (s evalScore) add(o evalScore) evalScore {
	r := evalScore{in: s.in + o.in, inRight: s.inRight + o.inRight, inFallback: s.inFallback + o.inFallback,
		out: s.out + o.out, outFallback: s.outFallback + o.outFallback, wrong: s.wrong + o.wrong}
	for b := range r.bins {
		r.bins[b], r.binsRight[b] = s.bins[b]+o.bins[b], s.binsRight[b]+o.binsRight[b]
	}
	return r
}

// calibration: for each band of the best entry's confidence, how many best
// entries were right.
func (s evalScore) calibration() string {
	var b strings.Builder
	for i := len(s.bins) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "  %.1f–%.1f: %d/%d", float64(i)/5, float64(i+1)/5, s.binsRight[i], s.bins[i])
	}
	return b.String()
}

func (s evalScore) String() string {
	n := s.in + s.out
	return fmt.Sprintf("overall %.3f  top-1 %d/%d  fell back %d  oos fallback %d/%d  wrong %d (%.3f)",
		float64(s.inRight+s.outFallback)/float64(n), s.inRight, s.in, s.inFallback, s.outFallback, s.out, s.wrong, float64(s.wrong)/float64(n))
}

// evaluate scores questions the way ../shared/eval/tools/ask_eval.py does:
// right when the decision is an answer with the expected entry, or a
// fallback (ambiguous included) for an out-of-scope question.
func evaluate(t testing.TB, ix *Index, qs []devQuestion) evalScore {
	var s evalScore
	for _, q := range qs {
		res, err := ix.Search(context.Background(), q.Q)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) > 0 {
			b := min(4, int(res.Hits[0].Confidence*5))
			s.bins[b]++
			if res.Hits[0].Entry.ID == q.Expect {
				s.binsRight[b]++
			}
		}
		got := ""
		if res.Decision == Answer {
			got = res.Hits[0].Entry.ID
		}
		switch {
		case q.Expect == "" && got == "":
			s.out++
			s.outFallback++
		case q.Expect == "":
			s.out++
			s.wrong++
			s.missed = append(s.missed, fmt.Sprintf("WRONG oos -> %s (%.2f) %q", got, res.Confidence, q.Q))
		case got == q.Expect:
			s.in++
			s.inRight++
		case got == "":
			s.in++
			s.inFallback++
			s.missed = append(s.missed, fmt.Sprintf("fell back [%s] %s (%.2f) %q", q.Kind, q.Expect, res.Confidence, q.Q))
		default:
			s.in++
			s.wrong++
			s.missed = append(s.missed, fmt.Sprintf("WRONG [%s] %s -> %s (%.2f) %q", q.Kind, q.Expect, got, res.Confidence, q.Q))
		}
	}
	return s
}
