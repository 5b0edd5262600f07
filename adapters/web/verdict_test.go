package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
)

// The API gives a verdict as parts: tone, conclusion, answers as a list,
// references that open their entry, and the source with its date.
func TestVerdictJSONParts(t *testing.T) {
	t.Parallel()
	r := adaptertest.Verdict(t, "fr-CA", adaptertest.Suspended)
	b, err := json.Marshal(toJSON(r))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Verdict struct {
			Tone       string `json:"tone"`
			Conclusion string `json:"conclusion"`
			Answers    []struct {
				Fact, Label, Value, Answer string
			} `json:"answers"`
			Citations []struct {
				EntryID string `json:"entry_id"`
				Action  string `json:"action"`
			} `json:"citations"`
			Source struct {
				Label, Date string
			} `json:"source"`
		} `json:"verdict"`
		Labels struct {
			YourAnswers string `json:"your_answers"`
		} `json:"labels"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	v := got.Verdict
	if v.Tone != "negative" || v.Conclusion != r.Verdict.Conclusion || v.Conclusion == "" {
		t.Errorf("tone %q conclusion %q", v.Tone, v.Conclusion)
	}
	if len(v.Answers) != len(r.Verdict.Answers) || len(v.Answers) == 0 || v.Answers[0].Label == "" || v.Answers[0].Answer == "" {
		t.Errorf("answers %+v", v.Answers)
	}
	for _, c := range v.Citations {
		if !strings.HasSuffix(c.Action, c.EntryID) {
			t.Errorf("citation %s opens %q", c.EntryID, c.Action)
		}
	}
	if v.Source.Date != "2025-03-18" || !strings.Contains(v.Source.Label, "18 mars 2025") {
		t.Errorf("source %+v", v.Source)
	}
	if got.Labels.YourAnswers != "Vos réponses :" {
		t.Errorf("your_answers label %q", got.Labels.YourAnswers)
	}
}
