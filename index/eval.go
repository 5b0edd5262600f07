package index

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Question is one labelled message, in the format of the evaluation sets
// (../shared/eval): Expect is an entry id, or "" when the FAQ has no answer.
type Question struct {
	Q      string  `json:"q"`
	Expect *string `json:"expect"`
	Kind   string  `json:"kind"`
}

func (q Question) want() string {
	if q.Expect == nil {
		return ""
	}
	return *q.Expect
}

// ReadQuestions reads a JSON Lines question set; a bad line is an error
// naming its line number.
func ReadQuestions(r io.Reader) ([]Question, error) {
	var qs []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if strings.TrimSpace(q.Q) == "" {
			return nil, fmt.Errorf("line %d: empty \"q\"", n)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

// Report scores a question set the way ../shared/eval/tools/ask_eval.py
// does: right is the expected entry answered, or a fallback for an
// out-of-scope message; wrong is any other answer.
type Report struct {
	N, Right, Wrong, Chosen int // Chosen: the right entry among the choices of an ambiguous reply
	ByKind                  map[string][2]int
	// Bands: by confidence fifth, the questions whose best entry was right
	// and all questions.
	Bands  [5][2]int
	Lines  []string // per question: want, decision, best entry, confidence band, text
	Missed []string
}

// Overall is the share of questions right.
func (r *Report) Overall() float64 { return float64(r.Right) / float64(max(1, r.N)) }

// WrongRate is the share of questions answered wrongly.
func (r *Report) WrongRate() float64 { return float64(r.Wrong) / float64(max(1, r.N)) }

// Add merges o into r.
func (r *Report) Add(o Report) {
	r.N, r.Right, r.Wrong, r.Chosen = r.N+o.N, r.Right+o.Right, r.Wrong+o.Wrong, r.Chosen+o.Chosen
	if r.ByKind == nil {
		r.ByKind = map[string][2]int{}
	}
	for k, v := range o.ByKind {
		w := r.ByKind[k]
		r.ByKind[k] = [2]int{w[0] + v[0], w[1] + v[1]}
	}
	for b := range r.Bands {
		r.Bands[b][0] += o.Bands[b][0]
		r.Bands[b][1] += o.Bands[b][1]
	}
	r.Lines = append(r.Lines, o.Lines...)
	r.Missed = append(r.Missed, o.Missed...)
}

// Evaluate runs every question through ix.
func Evaluate(ctx context.Context, ix *Index, qs []Question) (Report, error) {
	r := Report{ByKind: map[string][2]int{}}
	for _, q := range qs {
		res, err := ix.Search(ctx, q.Q)
		if err != nil {
			return r, err
		}
		want := q.want()
		got, top := "", ""
		if len(res.Hits) > 0 {
			top = res.Hits[0].Entry.ID
		}
		if res.Decision == Answer {
			got = top
		}
		ok := got == want
		r.N++
		k := r.ByKind[q.Kind]
		k[1]++
		switch {
		case ok:
			r.Right++
			k[0]++
		case got != "":
			r.Wrong++
		case res.Decision == Ambiguous && want != "":
			for _, h := range res.Hits {
				if h.Entry.ID == want {
					r.Chosen++
				}
			}
		}
		r.ByKind[q.Kind] = k
		b := band(res.Confidence)
		r.Bands[b][1]++
		if top == want && top != "" {
			r.Bands[b][0]++
		}
		r.Lines = append(r.Lines, fmt.Sprintf("%s\t%s\t%s\t%.1f–%.1f\t%s", dash(want), res.Decision, dash(top), float64(b)/5, float64(b+1)/5, q.Q))
		if !ok {
			r.Missed = append(r.Missed, fmt.Sprintf("[%s] want %s, %s %s (%.2f): %s", q.Kind, dash(want), res.Decision, dash(top), res.Confidence, q.Q))
		}
	}
	return r, nil
}

func band(c float64) int { return min(4, max(0, int(c*5))) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Summary is one line: overall, wrong answers, and right by kind.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "overall %.3f, wrong %.3f (%d questions); by kind:", r.Overall(), r.WrongRate(), r.N)
	for _, k := range r.kinds() {
		fmt.Fprintf(&b, " %s %d/%d", k, r.ByKind[k][0], r.ByKind[k][1])
	}
	return b.String()
}

func (r *Report) kinds() []string {
	ks := make([]string, 0, len(r.ByKind))
	for k := range r.ByKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// WriteTable prints the report for a person: by kind, then by confidence
// band (how often the best entry was right there: where the thresholds
// should sit).
func (r *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "%-16s %8s %8s\n", "type / kind", "justes", "right")
	for _, k := range r.kinds() {
		v := r.ByKind[k]
		fmt.Fprintf(w, "%-16s %8s %7.0f%%\n", dash(k), fmt.Sprintf("%d/%d", v[0], v[1]), 100*float64(v[0])/float64(max(1, v[1])))
	}
	fmt.Fprintf(w, "%-16s %8s %7.0f%%\n", "total", fmt.Sprintf("%d/%d", r.Right, r.N), 100*r.Overall())
	fmt.Fprintf(w, "réponses erronées / wrong answers: %d (%.1f%%); bonne entrée parmi les choix offerts / right entry among the choices: %d\n", r.Wrong, 100*r.WrongRate(), r.Chosen)
	fmt.Fprintln(w, "confiance / confidence   meilleure entrée juste / best entry right")
	for b, v := range r.Bands {
		if v[1] == 0 {
			continue
		}
		fmt.Fprintf(w, "  %.1f–%.1f                %d/%d\n", float64(b)/5, float64(b+1)/5, v[0], v[1])
	}
}
