package index

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// TestCalibrationFeatures prints the features behind the confidence for the
// development set (go test -run CalibrationFeatures -v ./index/); it is how
// the calibration constants and thresholds were chosen.
func TestCalibrationFeatures(t *testing.T) {
	if os.Getenv("CALIB") == "" {
		t.Skip("set CALIB=1 to print calibration features")
	}
	ix := defaultIndex(t)
	for _, q := range readDevSet(t) {
		text, _ := clean(q.Q)
		terms := ix.queryTerms(text)
		res, err := ix.Search(context.Background(), q.Q)
		if err != nil {
			t.Fatal(err)
		}
		top, cov, lead := "", 0.0, 0.0
		if len(res.Hits) > 0 {
			top = res.Hits[0].Entry.ID
			cov = ix.coverage(ix.byID[top], terms)
			lead = 1
			if len(res.Hits) > 1 {
				lead = 1 - res.Hits[1].Score/res.Hits[0].Score
			}
		}
		ok := 0
		if q.Expect != "" && top == q.Expect {
			ok = 1
		}
		fmt.Printf("CAL %d %.3f %.3f %.3f %s %s %q\n", ok, cov, lead, res.Confidence, q.Expect, top, q.Q)
	}
}
