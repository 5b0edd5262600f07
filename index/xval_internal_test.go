package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

// TestCrossValidation measures how well tuning from written questions
// carries over to questions nobody tuned for (XVAL=1 go test -run
// CrossValidation -v ./index/). The question sets are split by file, each
// file written in its own rounds: the in-scope questions of one half are
// added as alternates of their entries, and only the other half is scored,
// in both directions, next to the score without the added alternates.
// XVAL_SETS (comma-separated paths) replaces the default halves; XVAL_SCORE
// adds sets that are only scored.
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
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string][]devQuestion{}
	for _, p := range append(append([]string{}, halves...), scoreOnly...) {
		t.Setenv("DEVSET", p)
		sets[p] = readDevSet(t)
	}
	score := func(kb *faq.KB, qs []devQuestion) evalScore {
		ix, err := New(kb, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		return evaluate(t, ix, qs)
	}
	fmt.Printf("%-34s %-34s %s\n", "tuned on (as alternates)", "scored on", "result")
	for _, held := range append(append([]string{}, halves...), scoreOnly...) {
		fmt.Printf("%-34s %-34s %s\n", "-", filepath.Base(held), score(base, sets[held]))
	}
	for _, tune := range halves {
		kb := withAlternates(base, sets[tune])
		for _, held := range append(append([]string{}, halves...), scoreOnly...) {
			if held == tune {
				continue
			}
			r := score(kb, sets[held])
			fmt.Printf("%-34s %-34s %s\n", filepath.Base(tune), filepath.Base(held), r)
			if os.Getenv("XVAL_SHOW") != "" {
				for _, m := range r.missed {
					fmt.Println("   ", m)
				}
			}
		}
	}
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
