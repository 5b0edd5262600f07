package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/rules"
)

func init() {
	register(command{
		name:    "report",
		summary: "avis sur les réponses et questions sans réponse / feedback and unanswered questions",
		run:     runReport,
	})
}

// scanUnanswered bounds what one report reads from the store: grouping needs
// every recent question, not just the first screenful.
const scanUnanswered = 100000

// maxQuestionRunes cuts a question in the text report so one long message
// does not push the others off the screen (--json keeps it whole).
const maxQuestionRunes = 100

// report is what `bot report --json` prints.
type report struct {
	Since      *time.Time      `json:"since,omitempty"`
	Feedback   []feedbackRow   `json:"feedback"`
	Unanswered []unansweredRow `json:"unanswered"`
	// Total is the number of unanswered questions counted, Shown the
	// groups listed (at most --limit).
	Total  int `json:"unanswered_total"`
	Groups int `json:"unanswered_groups"`
	// Below is the --below threshold, in percent.
	Below      int         `json:"below_percent"`
	LowAnswers []lowRow    `json:"low_confidence"`
	Choices    []choiceRow `json:"choices"`
	// ChoiceReplies counts the replies that offered choices, NoneTaken
	// those where none was taken; Ignored groups the latter by the
	// choices they offered, most frequent first.
	ChoiceReplies int          `json:"choice_replies"`
	NoneTaken     int          `json:"choice_replies_none_taken"`
	Ignored       []ignoredRow `json:"choices_none_taken"`
	Reasons       []reasonRow  `json:"downvote_reasons"`
}

// ignoredRow is a set of choices offered together, none taken, and how
// many replies offered it.
type ignoredRow struct {
	Entries []string `json:"entries"`
	Count   int      `json:"count"`
}

// lowRow is an entry given as the answer with a confidence under --below.
type lowRow struct {
	Entry    string `json:"entry"`
	Question string `json:"question,omitempty"`
	Low      int    `json:"low"`      // answers under the threshold
	Answers  int    `json:"answers"`  // all answers of this entry
	MinBand  int    `json:"min_band"` // lowest confidence band, percent
}

// choiceRow is an entry offered as a choice (ambiguous question or "did
// you mean"), and how often it was taken.
type choiceRow struct {
	Entry    string `json:"entry"`
	Question string `json:"question,omitempty"`
	Offered  int    `json:"offered"`
	Taken    int    `json:"taken"`
	NotTaken int    `json:"not_taken"`
}

// reasonRow is the reasons given with the 👎 on one entry.
type reasonRow struct {
	Entry      string `json:"entry"`
	Question   string `json:"question,omitempty"`
	Wrong      int    `json:"wrong"`
	Incomplete int    `json:"incomplete"`
	Unclear    int    `json:"unclear"`
}

type feedbackRow struct {
	Entry    string `json:"entry"`
	Question string `json:"question,omitempty"`
	Up       int    `json:"up"`
	Down     int    `json:"down"`
}

// unansweredRow is one group of questions that are the same text once
// normalised (case, accents, punctuation and spacing ignored).
type unansweredRow struct {
	N     int       `json:"n"` // its number in the report, for whoever fills in an eval file
	Count int       `json:"count"`
	Text  string    `json:"text"` // the most recent wording, redacted
	Langs []string  `json:"langs"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

func runReport(ctx context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	limit := fs.Int("limit", 20, "nombre de groupes de questions sans réponse / number of unanswered question groups")
	asJSON := fs.Bool("json", false, "sortie JSON / JSON output")
	jsonl := fs.String("jsonl", "", "écrit les questions sans réponse dans FICHIER au format de bot eval (expect null) / writes the unanswered questions to FILE in the bot eval format")
	below := fs.Float64("below", 0.7, "liste les réponses données sous cette confiance (0 à 1) / lists answers given below this confidence")
	since := fs.String("since", "", "depuis une date (2025-03-18) ou une durée (7d, 24h) / since a date or a duration")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot report [--limit N] [--since 7d|2025-03-18] [--json] [--jsonl FICHIER]")
		fmt.Fprintln(env.Stderr, "Avis 👍/👎 par réponse et questions sans réponse (masquées, regroupées), dans DATABASE_URL ou BOT_DATA_DIR.")
		fmt.Fprintln(env.Stderr, "Feedback per answer and unanswered questions (redacted, grouped), from DATABASE_URL or BOT_DATA_DIR.")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 || *limit < 1 || *below < 0 || *below > 1 {
		fs.Usage()
		return exitUsage
	}
	var from time.Time
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot report : --since %q : %v\n", *since, err)
			return exitUsage
		}
		from = t
	}
	st, err := openStore(ctx, env.Config)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot report : données illisibles / cannot read data: %v\n", err)
		return exitFail
	}
	defer st.Close()
	rep, err := buildReport(ctx, st, entryQuestions(env.Config), env.Config.Retention, from, *limit, *below)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot report : %v\n", err)
		return exitFail
	}
	if kb, err := loadKB(env.Config); err == nil {
		last := lastReport{At: time.Now().UTC(), FAQ: kbDigest(kb)}
		for _, q := range rep.Unanswered {
			last.Questions = append(last.Questions, reportedText{N: q.N, Text: q.Text})
		}
		if err := saveLastReport(env.Config.DataDir, last); err != nil {
			fmt.Fprintf(env.Stderr, "bot report : numérotation non gardée pour bot learn / numbering not kept for bot learn: %v\n", err)
		}
	}
	if *jsonl != "" {
		if err := writeEvalFile(*jsonl, rep.Unanswered); err != nil {
			fmt.Fprintf(env.Stderr, "bot report : %v\n", err)
			return exitFail
		}
		fmt.Fprintf(env.Stderr, "%d questions écrites dans / written to %s : remplissez « expect » par l'id d'une entrée ou laissez null, puis bot eval %s\n",
			len(rep.Unanswered), *jsonl, *jsonl)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return exitFail
		}
		return exitOK
	}
	printReport(env.Stdout, rep)
	return exitOK
}

// parseSince reads an RFC 3339 time, a date, or a duration back from now
// (Go durations plus whole days: 7d).
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err == nil && n >= 0 && fmt.Sprint(n) == d {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("attendu une date (2025-03-18) ou une durée (7d, 24h) / want a date or a duration")
}

// buildReport purges what is past retention first, so the report never shows it.
func buildReport(ctx context.Context, st conversation.Store, questions map[string]string, retention time.Duration, since time.Time, limit int, below float64) (report, error) {
	rep := report{Feedback: []feedbackRow{}, Unanswered: []unansweredRow{}, LowAnswers: []lowRow{}, Choices: []choiceRow{},
		Reasons: []reasonRow{}, Below: int(math.Round(below * 100))}
	if !since.IsZero() {
		s := since.UTC()
		rep.Since = &s
	}
	if err := st.PurgeExpired(ctx, retention); err != nil {
		return rep, err
	}
	counts, err := st.FeedbackCounts(ctx)
	if err != nil {
		return rep, err
	}
	for _, c := range counts {
		rep.Feedback = append(rep.Feedback, feedbackRow{Entry: c.EntryID, Question: questions[c.EntryID], Up: c.Up, Down: c.Down})
	}
	un, err := st.Unanswered(ctx, scanUnanswered)
	if err != nil {
		return rep, err
	}
	groups, total := groupUnanswered(un, since)
	rep.Total, rep.Groups = total, len(groups)
	if len(groups) > limit {
		groups = groups[:limit]
	}
	rep.Unanswered = groups
	evs, err := st.Reviews(ctx, since)
	if err != nil {
		return rep, err
	}
	reviewRows(&rep, evs, questions, limit)
	return rep, nil
}

// reviewRows sums the review events per entry, worst first, at most limit
// rows per section.
func reviewRows(rep *report, evs []conversation.Review, questions map[string]string, limit int) {
	low := map[string]*lowRow{}
	ch := map[string]*choiceRow{}
	rs := map[string]*reasonRow{}
	offers := map[string][]string{} // reply id -> entries it offered
	var offerOrder []string
	takenFrom := map[string]bool{}
	for _, ev := range evs {
		if ev.Offer != "" {
			switch ev.Kind {
			case conversation.ReviewOffered:
				if offers[ev.Offer] == nil {
					offerOrder = append(offerOrder, ev.Offer)
				}
				offers[ev.Offer] = append(offers[ev.Offer], ev.Entry)
			case conversation.ReviewTaken:
				takenFrom[ev.Offer] = true
			}
		}
		switch ev.Kind {
		case conversation.ReviewAnswer:
			r := low[ev.Entry]
			if r == nil {
				r = &lowRow{Entry: ev.Entry, Question: questions[ev.Entry], MinBand: 100}
				low[ev.Entry] = r
			}
			r.Answers++
			if ev.Band < rep.Below {
				r.Low++
			}
			r.MinBand = min(r.MinBand, ev.Band)
		case conversation.ReviewOffered, conversation.ReviewTaken:
			r := ch[ev.Entry]
			if r == nil {
				r = &choiceRow{Entry: ev.Entry, Question: questions[ev.Entry]}
				ch[ev.Entry] = r
			}
			if ev.Kind == conversation.ReviewOffered {
				r.Offered++
			} else {
				r.Taken++
			}
		case conversation.ReviewReason:
			r := rs[ev.Entry]
			if r == nil {
				r = &reasonRow{Entry: ev.Entry, Question: questions[ev.Entry]}
				rs[ev.Entry] = r
			}
			switch ev.Reason {
			case conversation.ReasonWrong:
				r.Wrong++
			case conversation.ReasonIncomplete:
				r.Incomplete++
			case conversation.ReasonUnclear:
				r.Unclear++
			}
		}
	}
	for _, r := range low {
		if r.Low > 0 {
			rep.LowAnswers = append(rep.LowAnswers, *r)
		}
	}
	sort.Slice(rep.LowAnswers, func(i, j int) bool {
		a, b := rep.LowAnswers[i], rep.LowAnswers[j]
		if a.Low != b.Low {
			return a.Low > b.Low
		}
		return a.Entry < b.Entry
	})
	for _, r := range ch {
		// A choice can be taken from an older reply than the window saw.
		r.NotTaken = max(r.Offered-r.Taken, 0)
		if r.NotTaken > 0 {
			rep.Choices = append(rep.Choices, *r)
		}
	}
	sort.Slice(rep.Choices, func(i, j int) bool {
		a, b := rep.Choices[i], rep.Choices[j]
		if a.NotTaken != b.NotTaken {
			return a.NotTaken > b.NotTaken
		}
		return a.Entry < b.Entry
	})
	for _, r := range rs {
		rep.Reasons = append(rep.Reasons, *r)
	}
	sort.Slice(rep.Reasons, func(i, j int) bool {
		a, b := rep.Reasons[i], rep.Reasons[j]
		if na, nb := a.Wrong+a.Incomplete+a.Unclear, b.Wrong+b.Incomplete+b.Unclear; na != nb {
			return na > nb
		}
		return a.Entry < b.Entry
	})
	ignored := map[string]*ignoredRow{}
	var ignoredOrder []*ignoredRow
	for _, id := range offerOrder {
		rep.ChoiceReplies++
		if takenFrom[id] {
			continue
		}
		rep.NoneTaken++
		key := strings.Join(offers[id], ",")
		g := ignored[key]
		if g == nil {
			g = &ignoredRow{Entries: offers[id]}
			ignored[key] = g
			ignoredOrder = append(ignoredOrder, g)
		}
		g.Count++
	}
	sort.SliceStable(ignoredOrder, func(i, j int) bool { return ignoredOrder[i].Count > ignoredOrder[j].Count })
	rep.Ignored = []ignoredRow{}
	for _, g := range ignoredOrder[:min(len(ignoredOrder), limit)] {
		rep.Ignored = append(rep.Ignored, *g)
	}
	rep.LowAnswers = rep.LowAnswers[:min(len(rep.LowAnswers), limit)]
	rep.Choices = rep.Choices[:min(len(rep.Choices), limit)]
	rep.Reasons = rep.Reasons[:min(len(rep.Reasons), limit)]
}

// groupUnanswered folds questions that normalise to the same text, most
// frequent first, then most recent. un comes newest first, so the text kept
// for a group is its latest wording.
func groupUnanswered(un []conversation.Unanswered, since time.Time) ([]unansweredRow, int) {
	byKey := map[string]*unansweredRow{}
	var order []*unansweredRow
	total := 0
	for _, q := range un {
		if !since.IsZero() && q.At.Before(since) {
			continue
		}
		total++
		key := rules.Normalize(q.Text)
		g := byKey[key]
		if g == nil {
			g = &unansweredRow{Text: q.Text, Last: q.At.UTC(), First: q.At.UTC()}
			byKey[key] = g
			order = append(order, g)
		}
		g.Count++
		if q.At.Before(g.First) {
			g.First = q.At.UTC()
		}
		if q.At.After(g.Last) {
			g.Last, g.Text = q.At.UTC(), q.Text
		}
		if !contains(g.Langs, q.Lang) {
			g.Langs = append(g.Langs, q.Lang)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].Count != order[j].Count {
			return order[i].Count > order[j].Count
		}
		return order[i].Last.After(order[j].Last)
	})
	out := make([]unansweredRow, len(order))
	for i, g := range order {
		sort.Strings(g.Langs)
		g.N = i + 1
		out[i] = *g
	}
	return out, total
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// evalLine is one line of the file --jsonl writes: the bot eval format,
// expect null until an officer names the entry that should answer.
type evalLine struct {
	Q      string  `json:"q"`
	Expect *string `json:"expect"`
	Kind   string  `json:"kind"`
	Count  int     `json:"count"`
}

func writeEvalFile(path string, rows []unansweredRow) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range rows {
		if err := enc.Encode(evalLine{Q: r.Text, Kind: "sans-reponse", Count: r.Count}); err != nil {
			return err
		}
	}
	// 0600: the questions are redacted, but still what employees typed.
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func printReport(w io.Writer, rep report) {
	if rep.Since != nil {
		fmt.Fprintf(w, "Depuis le / since %s\n\n", rep.Since.Local().Format("2006-01-02 15:04"))
	}
	fmt.Fprintln(w, "Avis sur les réponses / feedback per answer")
	if len(rep.Feedback) == 0 {
		fmt.Fprintln(w, "  (aucun / none)")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range rep.Feedback {
		fmt.Fprintf(tw, "  %s\t👍 %d\t👎 %d\t%s\n", f.Entry, f.Up, f.Down, f.Question)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Raisons des 👎 / reasons given with 👎 (pas la bonne réponse / réponse incomplète / pas clair)")
	if len(rep.Reasons) == 0 {
		fmt.Fprintln(w, "  (aucune / none)")
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rep.Reasons {
		fmt.Fprintf(tw, "  %s\tpas la bonne réponse %d\tincomplète %d\tpas clair %d\t%s\n", r.Entry, r.Wrong, r.Incomplete, r.Unclear, cut(r.Question, 60))
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Réponses données avec une confiance sous %d %% / answers given with a confidence below %d%%\n", rep.Below, rep.Below)
	if len(rep.LowAnswers) == 0 {
		fmt.Fprintln(w, "  (aucune / none)")
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rep.LowAnswers {
		fmt.Fprintf(tw, "  %s\t%d sur / of %d\tmin %d %%\t%s\n", r.Entry, r.Low, r.Answers, r.MinBand, cut(r.Question, 60))
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Choix proposés mais non retenus / choices offered but not taken")
	if len(rep.Choices) == 0 {
		fmt.Fprintln(w, "  (aucun / none)")
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range rep.Choices {
		fmt.Fprintf(tw, "  %s\tproposé / offered %d\tretenu / taken %d\t%s\n", r.Entry, r.Offered, r.Taken, cut(r.Question, 60))
	}
	tw.Flush()
	if rep.ChoiceReplies > 0 {
		fmt.Fprintf(w, "  Réponses offrant des choix : %d, dont %d sans aucun choix retenu / replies offering choices: %d, none taken in %d\n",
			rep.ChoiceReplies, rep.NoneTaken, rep.ChoiceReplies, rep.NoneTaken)
		for _, g := range rep.Ignored {
			fmt.Fprintf(w, "    ×%d  %s\n", g.Count, strings.Join(g.Entries, ", "))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Questions sans réponse : %d, en %d groupes, les plus fréquentes d'abord (masqués : %s)\n", rep.Total, rep.Groups, conversation.RedactedKinds(conversation.LangFR))
	fmt.Fprintf(w, "Unanswered questions: %d, in %d groups, most frequent first (redacted: %s)\n", rep.Total, rep.Groups, conversation.RedactedKinds(conversation.LangEN))
	if len(rep.Unanswered) == 0 {
		fmt.Fprintln(w, "  (aucune / none)")
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, q := range rep.Unanswered {
		fmt.Fprintf(tw, "  #%d\t×%d\t%s\t[%s]\t%s\n", q.N, q.Count, q.Last.Local().Format("2006-01-02 15:04"), strings.Join(q.Langs, ","), cut(q.Text, maxQuestionRunes))
	}
	tw.Flush()
	if len(rep.Unanswered) < rep.Groups {
		fmt.Fprintf(w, "  … %d autres groupes (--limit) / %d more groups\n", rep.Groups-len(rep.Unanswered), rep.Groups-len(rep.Unanswered))
	}
}
