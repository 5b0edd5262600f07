package teams

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
)

// teamsLight is the text colours of Teams' light host config (the Adaptive
// Cards designer's "Microsoft Teams - Light"), on its white card.
var teamsLight = map[string]string{"Default": "252424", "Accent": "6264a7", "Good": "92c353",
	"Warning": "f8d22a", "Attention": "c4314b", "Dark": "252424"}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// Every verdict headline keeps 3:1 (large text) against the card, and
// carries its tone's mark, so that colour is never the only signal.
func TestVerdictHeadlineContrastAndMark(t *testing.T) {
	t.Parallel()
	if got := contrast(teamsLight["Warning"], "ffffff"); math.Abs(got-1.47) > 0.02 {
		t.Fatalf("Warning on white = %.2f:1, the issue measured 1.47:1: the table is off", got)
	}
	l := conversation.LabelsFor(conversation.LangFR)
	for _, tone := range []string{conversation.TonePositive, conversation.ToneNegative, conversation.ToneNeutral, ""} {
		v := &conversation.Verdict{Title: "Titre", Tone: tone}
		h := verdictElements(l, v, false, map[string]bool{})[0]
		color := h.Color
		if color == "" {
			color = "Default"
		}
		if r := contrast(teamsLight[color], "ffffff"); r < 3 {
			t.Errorf("tone %q: %s headline at %.2f:1 on white, want at least 3:1", tone, color, r)
		}
		if h.Size != "Large" || !strings.HasPrefix(h.Text, l.Mark(tone)+" ") {
			t.Errorf("tone %q: headline %q (size %s) lacks its mark", tone, h.Text, h.Size)
		}
	}
	if l.Mark(conversation.TonePositive) == l.Mark(conversation.ToneNegative) {
		t.Error("positive and negative verdicts share a mark")
	}
}

// The real engine's longest verdict: the answers as a FactSet, references
// as buttons that open their entry, the source and the MCN's contact.
func TestVerdictCardParts(t *testing.T) {
	t.Parallel()
	r := adaptertest.Verdict(t, "fr-CA", adaptertest.Suspended)
	v := r.Verdict
	cards := renderCards(r, maxCardBytes)
	var facts int
	var texts []string
	var acts []cardAction
	for _, c := range cards {
		var walk func([]element)
		walk = func(es []element) {
			for _, e := range es {
				if e.Type == "FactSet" {
					facts += len(e.Facts)
				}
				walk(e.Items)
			}
		}
		walk(c.Body)
		tx, a := cardText(c)
		texts, acts = append(texts, tx...), append(acts, a...)
	}
	if facts != len(v.Answers) || facts == 0 {
		t.Errorf("FactSet rows = %d, want the %d answers", facts, len(v.Answers))
	}
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"⛔ " + v.Title, v.Conclusion, v.Source.Label} {
		if !strings.Contains(joined, want) {
			t.Errorf("verdict card lacks %q", want)
		}
	}
	if strings.Contains(joined, "D'après vos réponses") {
		t.Error("the answers are still a paragraph")
	}
	refs := map[string]int{}
	mail := false
	for _, a := range acts {
		if a.Data != nil && strings.HasPrefix(a.Data.Action, "faq:") {
			refs[a.Data.Action]++
		}
		mail = mail || strings.HasPrefix(a.URL, "mailto:encadrement.ia@mcn.gouv.qc.ca")
	}
	for _, c := range v.Citations {
		if refs[c.Action.ID] != 1 {
			t.Errorf("reference %s: %d buttons, want 1", c.EntryID, refs[c.Action.ID])
		}
	}
	if !mail {
		t.Error("a suspended verdict has no button to write to the MCN")
	}
}

func TestCardVersionAndFallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    conversation.Reply
		want string
	}{
		{"text only", conversation.Reply{Text: []string{"Bonjour"}}, "1.0"},
		{"buttons", conversation.Reply{Text: []string{"Bonjour"}, Actions: []conversation.Action{{ID: "help", Label: "Aide"}}}, "1.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := renderCards(tt.r, maxCardBytes)[0]
			if c.Version != tt.want {
				t.Errorf("version %s, want %s", c.Version, tt.want)
			}
			if !strings.HasPrefix(c.FallbackText, "Bonjour") {
				t.Errorf("fallbackText %q", c.FallbackText)
			}
		})
	}
	long := conversation.Reply{Text: []string{strings.Repeat("é", 3000)}}
	c := renderCards(long, maxCardBytes)[0]
	if len(c.FallbackText) > maxFallback || !strings.HasSuffix(c.FallbackText, "…") {
		t.Errorf("fallbackText of %d bytes, want at most %d, marked as cut", len(c.FallbackText), maxFallback)
	}
	b, _ := json.Marshal(c)
	if len(b) > maxCardBytes {
		t.Errorf("card of %d bytes", len(b))
	}
}

// A question shows its progress; each choice carries its compact record.
func TestQuestionProgressAndRecord(t *testing.T) {
	t.Parallel()
	r := conversation.Reply{Lang: conversation.LangFR, Question: &conversation.Question{Fact: "f", Prompt: "Votre organisation ?", Step: 4, Remaining: 7,
		Choices: []conversation.Action{{ID: "elig:ans:f:no", Label: "Non"}}}}
	c := renderCards(r, maxCardBytes)[0]
	texts, acts := cardText(c)
	if !strings.Contains(strings.Join(texts, "\n"), "Question 4 — au plus 7 restantes") {
		t.Errorf("no progress in %q", texts)
	}
	if len(acts) != 1 || acts[0].Data.Rec != "Question 4 — Non ✓" || acts[0].Data.Prompt != "Votre organisation ?" {
		t.Errorf("choice data %+v", acts[0].Data)
	}
}
