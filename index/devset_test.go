package index

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// ReadDevQuestions exports the development questions to the external tests.
func ReadDevQuestions(t testing.TB) []string {
	var qs []string
	for _, q := range readDevSet(t) {
		qs = append(qs, q.Q)
	}
	return qs
}

type devQuestion struct {
	Q      string `json:"q"`
	Expect string `json:"expect"`
	Kind   string `json:"kind"`
}

// readDevSet reads the development questions copied from ../shared/eval.
func readDevSet(t testing.TB) []devQuestion {
	t.Helper()
	return readSet(t, devSetPath())
}

// readSet reads a question set in the format of ../shared/eval.
func readSet(t testing.TB, path string) []devQuestion {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []devQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var q devQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	return qs
}

// devSetPath is the development set, or DEVSET when set (calibration runs).
func devSetPath() string {
	if p := os.Getenv("DEVSET"); p != "" {
		return p
	}
	return "../testdata/dev_questions.jsonl"
}
