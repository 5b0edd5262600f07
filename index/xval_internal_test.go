package index

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	"../testdata/chat_round3_sealed.jsonl",
	"../testdata/chat_round4.jsonl",
	"../testdata/chat_round5.jsonl",
	"../testdata/chat_round6.jsonl",
	"../testdata/chat_round7.jsonl",
	"../testdata/chat_round8.jsonl",
	"../testdata/chat_round9.jsonl",
	"../testdata/chat_round10.jsonl",
	"../testdata/chat_round11_sealed.jsonl",
	"../testdata/chat_round12.jsonl",
	"../testdata/chat_round14.jsonl",
	"../testdata/chat_round15.jsonl",
	"../testdata/chat_round16.jsonl",
	"../testdata/chat_round17.jsonl",
	"../testdata/chat_round18.jsonl",
	"../testdata/chat_round19.jsonl",
	"../testdata/chat_round20.jsonl",
	"../testdata/chat_round24.jsonl",
	"../testdata/chat_round25.jsonl",
	"../testdata/chat_round26.jsonl",
	"../testdata/chat_round27.jsonl",
	"../testdata/chat_round29.jsonl",
	"../testdata/chat_round30.jsonl",
	"../testdata/chat_round31.jsonl",
	"../testdata/chat_round32.jsonl",
	"../testdata/chat_round33.jsonl",
	"../testdata/chat_round34.jsonl",
	"../testdata/chat_round35.jsonl",
	"../testdata/chat_round36.jsonl",
	"../testdata/chat_round37.jsonl",
	"../testdata/chat_round38.jsonl",
	"../testdata/chat_round40.jsonl",
	"../testdata/chat_round41.jsonl",
	"../testdata/search3_fresh_questions.jsonl",
	"../testdata/search4_fresh_questions.jsonl",
	"../testdata/extra_questions.jsonl",
	"../testdata/search2_questions.jsonl",
}

// withoutSet removes from kb every alternate and every example that is one
// of qs: a set is never scored with its own questions in the training data.
func withoutSet(kb *faq.KB, qs []Question) *faq.KB {
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

// xvalParams reads XVAL_PARAMS ("L2=0.5,ExampleWeight=3"), an opt-in
// switch to compare parameters without editing DefaultParams.
func xvalParams() Params {
	var p Params
	for _, kv := range strings.Split(os.Getenv("XVAL_PARAMS"), ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		f, _ := strconv.ParseFloat(v, 64)
		switch k {
		case "FocusMinTerms":
			p.FocusMinTerms = int(f)
		case "ClauseWords":
			p.ClauseWords = int(f)
		case "UnknownWeight":
			p.UnknownWeight = f
		case "Smoothing":
			p.Smoothing = f
		case "L2":
			p.L2 = f
		case "ExampleWeight":
			p.ExampleWeight = f
		case "ContextShare":
			p.ContextShare = f
		case "AnswerThreshold":
			p.AnswerThreshold = f
		case "AmbiguousThreshold":
			p.AmbiguousThreshold = f
		}
	}
	return p
}

func normQ(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func readSetFile(t testing.TB, path string) []Question {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := ReadQuestions(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return qs
}

// crossValidate scores each set with an index trained without it.
func crossValidate(t testing.TB, base *faq.KB, paths []string) (map[string]Report, Report) {
	per := map[string]Report{}
	all := Report{ByKind: map[string][2]int{}}
	for _, p := range paths {
		qs := readSetFile(t, p)
		ix, err := New(withoutSet(base, qs), Options{Params: xvalParams()})
		if err != nil {
			t.Fatal(err)
		}
		r, err := Evaluate(context.Background(), ix, qs)
		ix.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i := range r.Lines {
			r.Lines[i] = filepath.Base(p) + "\t" + r.Lines[i]
		}
		per[p] = r
		all.Add(r)
	}
	return per, all
}

// TestCrossValidation scores every question set of testdata/ with its own
// questions removed from the alternates and the examples, prints the table
// by kind and confidence band (go test -run CrossValidation -v ./index/;
// XVAL_SHOW=1 lists the misses), fails under a floor, and compares each
// question's decision with testdata/xval_golden.tsv, so that a change shows
// which questions it flips (-update rewrites the file).
func TestCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-validation trains one model per set")
	}
	if raceEnabled {
		// Training's concurrency is covered under -race by TestDefaultModel;
		// fourteen trainings under the detector take minutes for nothing.
		t.Skip("cross-validation runs without -race: go test -run CrossValidation ./index")
	}
	base, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	per, all := crossValidate(t, base, xvalSets)
	for _, p := range xvalSets {
		r := per[p]
		t.Logf("%-32s %s", filepath.Base(p), r.Summary())
		if os.Getenv("XVAL_SHOW") != "" {
			for _, m := range r.Missed {
				t.Log("    ", m)
			}
		}
	}
	t.Logf("%-32s %s", "all", all.Summary())
	var tb strings.Builder
	all.WriteTable(&tb)
	t.Log("\n" + tb.String())
	// Floors: under the measured figures, above what a regression gives.
	const minOverall, maxWrong = 0.90, 0.035
	if all.Overall() < minOverall || all.WrongRate() > maxWrong {
		t.Errorf("cross-validation: overall %.3f (floor %.2f), wrong %.3f (ceiling %.3f)", all.Overall(), minOverall, all.WrongRate(), maxWrong)
	}
	if os.Getenv("XVAL_PARAMS") != "" {
		return // an experiment: the golden file is for the defaults
	}
	golden := filepath.Join("testdata", "xval_golden.tsv")
	got := strings.Join(all.Lines, "\n") + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./index -run CrossValidation -args -update writes it)", err)
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	if len(wl) != len(gl) {
		t.Fatalf("golden file has %d lines, the sets %d: run with -update", len(wl), len(gl))
	}
	flips := 0
	for i := range gl {
		if gl[i] != wl[i] {
			flips++
			if flips <= 30 {
				t.Errorf("flipped:\n  was %s\n  now %s", wl[i], gl[i])
			}
		}
	}
	if flips > 0 {
		t.Errorf("%d questions changed decision, entry or confidence band (go test ./index -run CrossValidation -args -update accepts them)", flips)
	}
}
