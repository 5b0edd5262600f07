package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

func init() {
	register(command{
		name:    "report",
		summary: "avis sur les réponses et questions sans réponse / feedback and unanswered questions",
		run:     runReport,
	})
}

// report is what `bot report --json` prints.
type report struct {
	Feedback   []feedbackRow   `json:"feedback"`
	Unanswered []unansweredRow `json:"unanswered"`
}

type feedbackRow struct {
	Entry    string `json:"entry"`
	Question string `json:"question,omitempty"`
	Up       int    `json:"up"`
	Down     int    `json:"down"`
}

type unansweredRow struct {
	At   time.Time `json:"at"`
	Lang string    `json:"lang"`
	Text string    `json:"text"`
}

func runReport(ctx context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	limit := fs.Int("limit", 50, "nombre de questions sans réponse / number of unanswered questions")
	asJSON := fs.Bool("json", false, "sortie JSON / JSON output")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot report [--limit N] [--json]")
		fmt.Fprintln(env.Stderr, "Avis 👍/👎 par réponse et questions sans réponse (masquées), dans DATABASE_URL ou BOT_DATA_DIR.")
		fmt.Fprintln(env.Stderr, "Feedback per answer and unanswered questions (redacted), from DATABASE_URL or BOT_DATA_DIR.")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 || *limit < 1 {
		fs.Usage()
		return exitUsage
	}
	st, err := openStore(ctx, env.Config)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot report : données illisibles / cannot read data: %v\n", err)
		return exitFail
	}
	defer st.Close()
	rep, err := buildReport(ctx, st, entryQuestions(env.Config), env.Config.Retention, *limit)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot report : %v\n", err)
		return exitFail
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

// buildReport purges what is past retention first, so the report never shows it.
func buildReport(ctx context.Context, st conversation.Store, questions map[string]string, retention time.Duration, limit int) (report, error) {
	rep := report{Feedback: []feedbackRow{}, Unanswered: []unansweredRow{}}
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
	un, err := st.Unanswered(ctx, limit)
	if err != nil {
		return rep, err
	}
	for _, q := range un {
		rep.Unanswered = append(rep.Unanswered, unansweredRow{At: q.At.UTC(), Lang: q.Lang, Text: q.Text})
	}
	return rep, nil
}

func printReport(w io.Writer, rep report) {
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
	fmt.Fprintln(w, "Questions sans réponse, les plus récentes d'abord (courriels, téléphones et NAS masqués)")
	fmt.Fprintln(w, "Unanswered questions, newest first (e-mails, phone numbers and SINs redacted)")
	if len(rep.Unanswered) == 0 {
		fmt.Fprintln(w, "  (aucune / none)")
	}
	for _, q := range rep.Unanswered {
		fmt.Fprintf(w, "  %s [%s] %s\n", q.At.Format("2006-01-02 15:04"), q.Lang, q.Text)
	}
}
