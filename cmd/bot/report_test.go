package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/store/memstore"
)

// The report folds what normalises to the same text, counts it, puts the
// most frequent first and honours --since.
func TestBuildReportGroups(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	qs := []conversation.Unanswered{
		{Text: "Où se garer?", Lang: "fr", At: t0},
		{Text: "Quelle est la météo", Lang: "fr", At: t0.Add(time.Hour)},
		{Text: "où SE garer ", Lang: "fr", At: t0.Add(2 * time.Hour)},
		{Text: "Ou se garer !", Lang: "en", At: t0.Add(3 * time.Hour)},
		{Text: "Quelle est la météo?", Lang: "fr", At: t0.Add(4 * time.Hour)},
		{Text: "Une seule fois", Lang: "fr", At: t0.Add(5 * time.Hour)},
	}
	tests := []struct {
		name      string
		since     time.Time
		limit     int
		want      []string // texts, in order
		counts    []int
		total, gr int
	}{
		{name: "all", limit: 10, want: []string{"Ou se garer !", "Quelle est la météo?", "Une seule fois"}, counts: []int{3, 2, 1}, total: 6, gr: 3},
		{name: "limit", limit: 1, want: []string{"Ou se garer !"}, counts: []int{3}, total: 6, gr: 3},
		{name: "since", since: t0.Add(150 * time.Minute), limit: 10, want: []string{"Une seule fois", "Quelle est la météo?", "Ou se garer !"}, counts: []int{1, 1, 1}, total: 3, gr: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			ctx := context.Background()
			for _, q := range qs {
				if err := st.AddUnanswered(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := buildReport(ctx, st, nil, 100*365*24*time.Hour, tt.since, tt.limit, 0.7)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Total != tt.total || rep.Groups != tt.gr {
				t.Errorf("total %d groups %d; want %d %d", rep.Total, rep.Groups, tt.total, tt.gr)
			}
			if len(rep.Unanswered) != len(tt.want) {
				t.Fatalf("got %+v; want %v", rep.Unanswered, tt.want)
			}
			for i, r := range rep.Unanswered {
				if r.Text != tt.want[i] || r.Count != tt.counts[i] || r.N != i+1 {
					t.Errorf("row %d = #%d %q ×%d; want #%d %q ×%d", i, r.N, r.Text, r.Count, i+1, tt.want[i], tt.counts[i])
				}
			}
			if tt.name == "all" && strings.Join(rep.Unanswered[0].Langs, ",") != "en,fr" {
				t.Errorf("langs %v; want en,fr", rep.Unanswered[0].Langs)
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "7d", want: now.AddDate(0, 0, -7)},
		{in: "24h", want: now.Add(-24 * time.Hour)},
		{in: "2026-03-01T00:00:00Z", want: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{in: "hier", bad: true},
		{in: "-3d", bad: true},
		{in: "3dd", bad: true},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if tt.bad {
			if err == nil {
				t.Errorf("parseSince(%q) = %v; want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// The long question is cut in the text report; the --jsonl file is what
// bot eval reads, expect null, one line per group.
func TestReportTextAndEvalFile(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("stationnement ", 30)
	rep := report{Feedback: []feedbackRow{}, Total: 3, Groups: 2, Unanswered: []unansweredRow{
		{N: 1, Count: 2, Text: long, Langs: []string{"fr"}},
		{N: 2, Count: 1, Text: "météo", Langs: []string{"fr"}},
	}}
	var b strings.Builder
	printReport(&b, rep)
	out := b.String()
	for _, w := range []string{"#1", "×2", "…", "#2", "météo", "3, en 2 groupes"} {
		if !strings.Contains(out, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, long) {
		t.Errorf("long question not cut:\n%s", out)
	}
	// The header names every kind of data redaction removes, in both languages.
	for _, w := range []string{"masqués : " + conversation.RedactedKinds(conversation.LangFR), "redacted: " + conversation.RedactedKinds(conversation.LangEN),
		"courriels", "téléphone", "NAS", "employé", "dossier", "chiffres", "nom de la personne",
		"e-mail", "phone", "SIN", "employee", "file numbers", "digit runs", "own name"} {
		if !strings.Contains(out, w) {
			t.Errorf("the unanswered questions' header lacks %q:\n%s", w, out)
		}
	}
	path := filepath.Join(t.TempDir(), "q.jsonl")
	if err := writeEvalFile(path, rep.Unanswered); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := index.ReadQuestions(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].Q != long || qs[0].Expect != nil || qs[1].Q != "météo" {
		t.Errorf("eval file reads back as %+v", qs)
	}
	raw, _ := os.ReadFile(path)
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if v, ok := m["expect"]; !ok || v != nil {
			t.Errorf("line %s: expect must be present and null", sc.Text())
		}
	}
}

// Review events become three sections: answers under --below, choices
// offered more often than taken, and the reasons of the 👎.
func TestReviewRows(t *testing.T) {
	t.Parallel()
	var evs []conversation.Review
	add := func(n int, r conversation.Review) {
		for range n {
			evs = append(evs, r)
		}
	}
	add(3, conversation.Review{Kind: conversation.ReviewAnswer, Entry: "a", Band: 60})
	add(1, conversation.Review{Kind: conversation.ReviewAnswer, Entry: "a", Band: 90})
	add(2, conversation.Review{Kind: conversation.ReviewAnswer, Entry: "b", Band: 70})
	add(1, conversation.Review{Kind: conversation.ReviewAnswer, Entry: "c", Band: 65})
	add(4, conversation.Review{Kind: conversation.ReviewOffered, Entry: "x"})
	add(1, conversation.Review{Kind: conversation.ReviewTaken, Entry: "x"})
	add(2, conversation.Review{Kind: conversation.ReviewOffered, Entry: "y"})
	add(2, conversation.Review{Kind: conversation.ReviewTaken, Entry: "y"})
	add(2, conversation.Review{Kind: conversation.ReviewReason, Entry: "a", Reason: conversation.ReasonIncomplete})
	add(1, conversation.Review{Kind: conversation.ReviewReason, Entry: "a", Reason: conversation.ReasonWrong})
	rep := report{Below: 70}
	reviewRows(&rep, evs, map[string]string{"a": "Question A?"}, 10)
	if len(rep.LowAnswers) != 2 || rep.LowAnswers[0] != (lowRow{Entry: "a", Question: "Question A?", Low: 3, Answers: 4, MinBand: 60}) ||
		rep.LowAnswers[1].Entry != "c" {
		t.Errorf("low answers %+v; want a (3 of 4, min 60) then c, not b (at the threshold)", rep.LowAnswers)
	}
	if len(rep.Choices) != 1 || rep.Choices[0] != (choiceRow{Entry: "x", Offered: 4, Taken: 1, NotTaken: 3}) {
		t.Errorf("choices %+v; want only x, 3 not taken", rep.Choices)
	}
	if len(rep.Reasons) != 1 || rep.Reasons[0].Incomplete != 2 || rep.Reasons[0].Wrong != 1 {
		t.Errorf("reasons %+v; want a: 2 incomplete, 1 wrong", rep.Reasons)
	}
	rep = report{Below: 70}
	reviewRows(&rep, evs, nil, 1)
	if len(rep.LowAnswers) != 1 {
		t.Errorf("limit 1: %d low rows", len(rep.LowAnswers))
	}
}

// Choices are followed per reply: which replies offering choices had
// none taken, grouped by the choices they offered.
func TestReviewRowsPerReply(t *testing.T) {
	t.Parallel()
	var evs []conversation.Review
	offer := func(id string, entries ...string) {
		for _, e := range entries {
			evs = append(evs, conversation.Review{Kind: conversation.ReviewOffered, Entry: e, Offer: id})
		}
	}
	offer("r1", "a", "b", "c")
	offer("r2", "a", "b", "c")
	offer("r3", "a", "b")
	offer("r4", "a", "b", "c")
	evs = append(evs, conversation.Review{Kind: conversation.ReviewTaken, Entry: "b", Offer: "r3"},
		conversation.Review{Kind: conversation.ReviewTaken, Entry: "c", Offer: "r4"})
	rep := report{Below: 70}
	reviewRows(&rep, evs, nil, 10)
	if rep.ChoiceReplies != 4 || rep.NoneTaken != 2 {
		t.Errorf("replies %d, none taken %d; want 4 and 2", rep.ChoiceReplies, rep.NoneTaken)
	}
	if len(rep.Ignored) != 1 || rep.Ignored[0].Count != 2 || strings.Join(rep.Ignored[0].Entries, ",") != "a,b,c" {
		t.Errorf("ignored %+v; want a,b,c twice", rep.Ignored)
	}
	var b strings.Builder
	printReport(&b, rep)
	if !strings.Contains(b.String(), "Réponses offrant des choix : 4, dont 2 sans aucun choix retenu") || !strings.Contains(b.String(), "×2  a, b, c") {
		t.Errorf("report text:\n%s", b.String())
	}
}
