package index

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestScoreFile scores EVAL_FILES (comma-separated jsonl) with the default
// content (EVAL=1); a quick loop while working on the search.
func TestScoreFile(t *testing.T) {
	if os.Getenv("EVAL_FILES") == "" {
		t.Skip("EVAL_FILES unset")
	}
	ix := defaultIndex(t)
	for _, p := range strings.Split(os.Getenv("EVAL_FILES"), ",") {
		t.Setenv("DEVSET", p)
		qs := readDevSet(t)
		right, wrong := 0, 0
		by := map[string][2]int{}
		for _, q := range qs {
			res, err := ix.Search(context.Background(), q.Q)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if res.Decision == Answer {
				got = res.Hits[0].Entry.ID
			}
			ok := got == q.Expect
			if ok {
				right++
			} else if got != "" {
				wrong++
			}
			b := by[q.Kind]
			b[1]++
			if ok {
				b[0]++
			}
			by[q.Kind] = b
			if !ok && os.Getenv("EVAL_SHOW") != "" {
				top := ""
				if len(res.Hits) > 0 {
					top = res.Hits[0].Entry.ID
				}
				fmt.Printf("  MISS [%s] want=%s got=%s top=%s %.2f %s :: %s\n", q.Kind, q.Expect, got, top, res.Confidence, res.Decision, q.Q)
			}
		}
		var ks []string
		for k, v := range by {
			ks = append(ks, fmt.Sprintf("%s %d/%d", k, v[0], v[1]))
		}
		fmt.Printf("%s: overall %.3f wrong %.3f (%d)  %s\n", p, float64(right)/float64(len(qs)), float64(wrong)/float64(len(qs)), len(qs), strings.Join(ks, "  "))
	}
}
