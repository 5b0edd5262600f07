package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

// xvalSets are the labelled question sets of testdata/, each written in its
// own rounds, by its own writers.
var xvalSets = []string{
	"../testdata/dev_questions.jsonl",
	"../testdata/dev_questions_chat.jsonl",
	"../testdata/chat_round1.jsonl",
	"../testdata/chat_round2.jsonl",
	"../testdata/search3_fresh_questions.jsonl",
	"../testdata/search4_fresh_questions.jsonl",
	"../testdata/extra_questions.jsonl",
	"../testdata/search2_questions.jsonl",
}

// withoutSet removes from kb every alternate and every example that is one
// of qs: a set is never scored with its own questions in the training data.
func withoutSet(kb *faq.KB, qs []devQuestion) *faq.KB {
	drop := map[string]bool{}
	for _, q := range qs {
		drop[normQ(q.Q)] = true
	}
	out := *kb
	out.Entries = make([]faq.Entry, len(kb.Entries))
	for i, e := range kb.Entries {
		e.Alternates = slices.DeleteFunc(slices.Clone(e.Alternates), func(s string) bool { return drop[normQ(s)] })
		out.Entries[i] = e
	}
	out.Examples = slices.DeleteFunc(slices.Clone(kb.Examples), func(x faq.Example) bool { return drop[normQ(x.Text)] })
	return &out
}

func normQ(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// evalScore counts a set's results the way ../shared/eval/tools/ask_eval.py does.
type evalScore struct {
	n, right, wrong int
	byKind          map[string][2]int // right, total
	band            [5][2]int         // best entry right, questions; by confidence fifth
	lines           []string          // golden lines
	missed          []string
}

func (s *evalScore) add(o evalScore) {
	s.n, s.right, s.wrong = s.n+o.n, s.right+o.right, s.wrong+o.wrong
	if s.byKind == nil {
		s.byKind = map[string][2]int{}
	}
	for k, v := range o.byKind {
		w := s.byKind[k]
		s.byKind[k] = [2]int{w[0] + v[0], w[1] + v[1]}
	}
	for b := range s.band {
		s.band[b][0] += o.band[b][0]
		s.band[b][1] += o.band[b][1]
	}
}

func (s evalScore) overall() float64 { return float64(s.right) / float64(max(1, s.n)) }

func (s evalScore) String() string {
	var ks []string
	for k := range s.byKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	fmt.Fprintf(&b, "overall %.3f, wrong %.3f (%d questions); by kind:", s.overall(), float64(s.wrong)/float64(max(1, s.n)), s.n)
	for _, k := range ks {
		fmt.Fprintf(&b, " %s %d/%d", k, s.byKind[k][0], s.byKind[k][1])
	}
	b.WriteString("; best entry right by confidence:")
	for i, c := range s.band {
		fmt.Fprintf(&b, " %.1f–%.1f %d/%d", float64(i)/5, float64(i+1)/5, c[0], c[1])
	}
	return b.String()
}

func evaluate(t testing.TB, ix *Index, qs []devQuestion) evalScore {
	s := evalScore{byKind: map[string][2]int{}}
	for _, q := range qs {
		res, err := ix.Search(context.Background(), q.Q)
		if err != nil {
			t.Fatal(err)
		}
		got, top := "", ""
		if len(res.Hits) > 0 {
			top = res.Hits[0].Entry.ID
		}
		if res.Decision == Answer {
			got = top
		}
		ok := got == q.Expect
		s.n++
		k := s.byKind[q.Kind]
		k[1]++
		if ok {
			s.right++
			k[0]++
		} else if got != "" {
			s.wrong++
		}
		s.byKind[q.Kind] = k
		if len(res.Hits) > 0 {
			b := min(4, int(res.Confidence*5))
			s.band[b][1]++
			if top == q.Expect {
				s.band[b][0]++
			}
		}
		want := q.Expect
		if want == "" {
			want = "-"
		}
		s.lines = append(s.lines, fmt.Sprintf("%s\t%s\t%s\t%.1f\t%s", want, res.Decision, orDash(top), float64(int(res.Confidence*10))/10, q.Q))
		if !ok {
			s.missed = append(s.missed, fmt.Sprintf("[%s] want %s, %s %s (%.2f): %s", q.Kind, want, res.Decision, orDash(top), res.Confidence, q.Q))
		}
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// crossValidate scores each set with an index trained without it.
func crossValidate(t testing.TB, base *faq.KB, paths []string) (map[string]evalScore, evalScore) {
	per := map[string]evalScore{}
	var all evalScore
	for _, p := range paths {
		qs := readSet(t, p)
		ix, err := New(withoutSet(base, qs), Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := evaluate(t, ix, qs)
		ix.Close()
		per[p] = s
		all.add(s)
	}
	return per, all
}

// TestCrossValidation scores every question set of testdata/ with the
// alternates and examples it holds removed from the training data, and fails
// under a floor (go test -run CrossValidation -v ./index/ prints the table;
// XVAL_SHOW=1 lists the misses).
func TestCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-validation trains one model per set")
	}
	base, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	per, all := crossValidate(t, base, xvalSets)
	for _, p := range xvalSets {
		t.Logf("%-32s %s", filepath.Base(p), per[p])
		if os.Getenv("XVAL_SHOW") != "" {
			for _, m := range per[p].missed {
				t.Log("    ", m)
			}
		}
	}
	t.Logf("%-32s %s", "all", all)
	// Floors: below the measured figures, above what a regression gives.
	const minOverall, maxWrong = 0.80, 0.06
	if all.overall() < minOverall || float64(all.wrong)/float64(all.n) > maxWrong {
		t.Errorf("cross-validation: overall %.3f (floor %.2f), wrong %.3f (ceiling %.2f)", all.overall(), minOverall, float64(all.wrong)/float64(all.n), maxWrong)
	}
}
