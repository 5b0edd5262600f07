package rules

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

func mustDefault(t testing.TB) *RuleSet {
	t.Helper()
	rs, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return rs
}

// devScenarios reads the copy of ../shared/eval/dev_scenarios.jsonl.
func devScenarios(t testing.TB) []Scenario {
	t.Helper()
	f, err := os.Open("testdata/dev_scenarios.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Scenario
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var s struct {
			Story      string            `json:"story"`
			Facts      map[string]string `json:"facts"`
			Verdict    string            `json:"verdict"`
			Exceptions []string          `json:"exceptions"`
		}
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("dev_scenarios.jsonl:%d: %v", line, err)
		}
		facts := Facts{}
		for k, v := range s.Facts {
			facts[k] = Value(v)
		}
		out = append(out, Scenario{Story: s.Story, Facts: facts, Verdict: s.Verdict, Exceptions: s.Exceptions,
			File: "testdata/dev_scenarios.jsonl", Line: line})
	}
	if len(out) == 0 {
		t.Fatal("no dev scenarios")
	}
	return out
}

// TestScenarios plays every dev scenario and every scenario kept beside the
// rules one question at a time, and reports the questions each needed.
func TestScenarios(t *testing.T) {
	t.Parallel()
	rs := mustDefault(t)
	sets := map[string][]Scenario{"dev": devScenarios(t), "rules": rs.Scenarios()}
	for name, scs := range sets {
		var table strings.Builder
		total, extra := 0, 0
		for _, s := range scs {
			o, asked := rs.Play(s.Facts)
			if msg := s.Check(o); msg != "" {
				t.Errorf("%s:%d %q: %s (asked %v)", s.File, s.Line, s.Story, msg, asked)
			}
			for _, f := range asked {
				if _, ok := s.Facts[f]; !ok {
					extra++
				}
			}
			total += len(asked)
			fmt.Fprintf(&table, "%s:%-4d %-28s %2d questions  %s\n", s.File, s.Line, o.Verdict+" "+fmtList(o.Exceptions), len(asked), strings.Join(asked, ","))
		}
		t.Logf("%s scenarios: %d, questions asked: %d (mean %.1f), asked beyond the story's facts: %d\n%s",
			name, len(scs), total, float64(total)/float64(len(scs)), extra, table.String())
		if name == "dev" && extra > 0 {
			t.Errorf("dev scenarios: %d questions beyond the story's facts, want 0", extra)
		}
	}
}
