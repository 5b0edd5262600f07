package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/browsertest"
	"github.com/qc-ia/conformbot/internal/ratelimit"
	"github.com/qc-ia/conformbot/internal/testlog"
)

// The official question and the start of its answer, quoted from the FAQ of
// 18 March 2025: the page must show the entry verbatim.
const (
	officialQuestion    = "Puis-je encore utiliser la version web de Copilot ou ChatGPT ?"
	officialAnswerStart = "La suspension ne concerne pas l'utilisation individuelle"
)

// newRealApp builds the app `bot serve` runs (real engine, FAQ, rules and
// SQLite store) on a fresh data directory.
func newRealApp(t testing.TB, logs io.Writer) *App {
	t.Helper()
	cfg, err := LoadConfig(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	return buildTestApp(context.Background(), t, cfg, logs)
}

// buildTestApp is buildApp for a test, on cfg as given and logging to logs
// (nil: discarded); the app is closed when the test ends. Cleanups the
// caller registers afterwards (cancelling ctx, stopping loops) run first.
func buildTestApp(ctx context.Context, t testing.TB, cfg Config, logs io.Writer) *App {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	if logs != nil {
		logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Config: cfg, Logger: logger}
	app, closeApp, err := buildApp(ctx, env)
	if err != nil {
		t.Fatalf("buildApp: %v", err)
	}
	t.Cleanup(func() {
		if err := closeApp(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return app
}

func newSession(t testing.TB) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type chatReply struct {
	Lang       string   `json:"lang"`
	Text       string   `json:"text"`
	Paragraphs []string `json:"paragraphs"`
	Answer     *struct {
		EntryID, Question, Text string
	} `json:"answer"`
	Question *struct {
		Prompt  string `json:"prompt"`
		Choices []struct {
			ID    string `json:"id"`
			Label string `json:"label"`
		} `json:"choices"`
	} `json:"question"`
	Verdict *struct {
		Code  string `json:"code"`
		Title string `json:"title"`
	} `json:"verdict"`
	Escalation *struct {
		Mailto string `json:"mailto"`
	} `json:"escalation"`
	Actions []struct {
		ID    string `json:"id"`
		Label string `json:"label"`
		URL   string `json:"url"`
	} `json:"actions"`
}

func postChat(h http.Handler, payload map[string]string) (*httptest.ResponseRecorder, chatReply) {
	rec := serveChat(h, payload)
	var r chatReply
	_ = json.Unmarshal(rec.Body.Bytes(), &r)
	return rec, r
}

func serveChat(h http.Handler, payload map[string]string) *httptest.ResponseRecorder {
	b, _ := json.Marshal(payload)
	req := httptest.NewRequest("POST", "/api/chat", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The JSON API with the real engine: bad input gets a helpful reply.
func TestWebChatRealEngine(t *testing.T) {
	t.Parallel()
	var logs testlog.Buffer
	app := newRealApp(t, &logs)
	h := harden(webMux(app), app.Logger)

	t.Run("official answer", func(t *testing.T) {
		rec, r := postChat(h, map[string]string{"session": newSession(t), "text": officialQuestion})
		if rec.Code != 200 || r.Answer == nil || !strings.HasPrefix(r.Answer.Text, officialAnswerStart) {
			t.Fatalf("status %d, answer %+v", rec.Code, r.Answer)
		}
		if !strings.Contains(r.Text, officialAnswerStart) {
			t.Errorf("plain text lacks the answer: %q", r.Text)
		}
	})
	t.Run("stale action", func(t *testing.T) {
		rec, r := postChat(h, map[string]string{"session": newSession(t), "action": "elig:ans:no-such-fact:yes"})
		if rec.Code != 200 || strings.TrimSpace(r.Text) == "" || len(r.Actions) == 0 {
			t.Fatalf("status %d, reply %q with %d actions: want a helpful reply with buttons", rec.Code, r.Text, len(r.Actions))
		}
	})
	t.Run("garbage action", func(t *testing.T) {
		rec, r := postChat(h, map[string]string{"session": newSession(t), "action": strings.Repeat("\u00e9<>", 500)})
		if rec.Code != 200 || strings.TrimSpace(r.Text) == "" {
			t.Fatalf("status %d, reply %q", rec.Code, r.Text)
		}
	})
	t.Run("long text", func(t *testing.T) {
		long := strings.Repeat(officialQuestion+" ", 60) // about 3,800 characters
		rec, r := postChat(h, map[string]string{"session": newSession(t), "text": long})
		if rec.Code != 200 || len(r.Paragraphs) == 0 {
			t.Fatalf("status %d, paragraphs %q: want the answer with a notice", rec.Code, r.Paragraphs)
		}
		if r.Answer == nil || !strings.HasPrefix(r.Answer.Text, officialAnswerStart) {
			t.Errorf("the start of a long text was not answered: %+v", r.Answer)
		}
	})
	t.Run("unknown session starts a dialog", func(t *testing.T) {
		sess := newSession(t)
		rec, r := postChat(h, map[string]string{"session": sess, "text": "admissibilite"})
		if rec.Code != 200 || r.Question == nil || len(r.Question.Choices) == 0 {
			t.Fatalf("status %d, question %+v", rec.Code, r.Question)
		}
		rec, r = postChat(h, map[string]string{"session": sess, "action": r.Question.Choices[0].ID})
		if rec.Code != 200 || (r.Question == nil && r.Verdict == nil) {
			t.Fatalf("status %d: the dialog did not go on: %q", rec.Code, r.Text)
		}
	})
	t.Run("english", func(t *testing.T) {
		rec, r := postChat(h, map[string]string{"session": newSession(t), "text": "help", "lang": "en"})
		if rec.Code != 200 || r.Lang != "en" {
			t.Fatalf("status %d, lang %q", rec.Code, r.Lang)
		}
	})
	if strings.Contains(logs.String(), officialQuestion) {
		t.Errorf("logs hold message text")
	}
}

// TestWebChatInBrowser drives the page as a new user would: ask, run the
// check to a verdict by clicking, then ask for a human.
func TestWebChatInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 2*time.Minute)
	app := newRealApp(t, io.Discard)
	srv := httptest.NewServer(harden(webMux(app), app.Logger))
	t.Cleanup(srv.Close)

	js := func(expr string) any { t.Helper(); return browsertest.Eval(t, ctx, expr) }
	botCount := func() int { return int(js(`document.querySelectorAll('#log .msg.bot').length`).(float64)) }
	// act runs steps and waits for the next bot message.
	act := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		n := botCount()
		steps = append(steps, chromedp.Poll[chromedp.Void](
			"document.querySelectorAll('#log .msg.bot').length > "+strconv.Itoa(n), chromedp.WithPollingTimeout(20*time.Second)))
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	const last = `#log .msg.bot:last-child`

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatal(err)
	}
	act("ask", chromedp.SendKeys(chromedp.CSS("#text"), officialQuestion), browsertest.Click("#send"))
	title := js(`(document.querySelector('` + last + ` .answer h3') || {}).textContent || ""`).(string)
	official := js(`(document.querySelector('` + last + ` .answer .official') || {}).textContent || ""`).(string)
	squash := func(s string) string { return strings.ToUpper(strings.Join(strings.Fields(s), "")) }
	if squash(title) != squash(officialQuestion) { // the FAQ writes its questions in capitals
		t.Errorf("answer title = %q, want the official question", title)
	}
	if !strings.HasPrefix(official, officialAnswerStart) {
		t.Errorf("official answer shown = %q", official)
	}
	if src := js(`(document.querySelector('` + last + ` .answer .source') || {}).textContent || ""`).(string); !strings.Contains(src, "IA-RI-2025-001-OP") {
		t.Errorf("source line = %q", src)
	}

	act("start the check", browsertest.Click(`button[data-cmd="check"]`))
	steps := 0
	for js(`!!document.querySelector('`+last+` .verdict')`) == false {
		if steps++; steps > 15 {
			t.Fatalf("no verdict after 15 answers; last message: %v", js(`document.querySelector('`+last+`').textContent`))
		}
		if js(`!!document.querySelector('`+last+` .question .choices button')`) == false {
			t.Fatalf("step %d: neither a question nor a verdict: %v", steps, js(`document.querySelector('`+last+`').textContent`))
		}
		act("answer", browsertest.Click(last+` .question .choices button`))
	}
	if v := js(`document.querySelector('` + last + ` .verdict h3').textContent`).(string); strings.TrimSpace(v) == "" {
		t.Error("verdict without a title")
	}

	act("ask for a human", browsertest.Click(`button[data-cmd="contact"]`))
	href := js(`(document.querySelector('` + last + ` a[href^="mailto:"]') || {}).href || ""`).(string)
	if !strings.HasPrefix(href, "mailto:"+app.Config.EscalationEmail+"?") {
		t.Errorf("escalation link = %q, want a mailto: to %s", href, app.Config.EscalationEmail)
	}

	if path := os.Getenv("WEB_SCREENSHOT"); path != "" { // a look at the page, on demand
		_ = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('log').style.maxHeight = 'none'`))
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(path, png, 0o644)
		}
	}
}

// BenchmarkWebChat measures POST /api/chat through the whole `bot serve`
// stack (middleware, adapter, engine, SQLite sessions), on parallel sessions.
func BenchmarkWebChat(b *testing.B) {
	cfg, err := LoadConfig(func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	// Rate limits off: one loopback generator is not what this measures.
	cfg.DataDir, cfg.RateSession, cfg.RateAddress = b.TempDir(), ratelimit.Limit{}, ratelimit.Limit{}
	// The collector's target bot serve sets.
	defer debug.SetGCPercent(debug.SetGCPercent(cfg.GCPercent))
	app := buildTestApp(context.Background(), b, cfg, io.Discard)
	h := harden(webMux(app), app.Logger)
	// The in-scope development questions in turn, so that the figure is not
	// that of one question's cached path.
	qs := devQuestions(b, true)
	var n atomic.Uint64
	b.Run("question", func(b *testing.B) {
		benchChat(b, h, func([]byte) map[string]string {
			return map[string]string{"text": qs[n.Add(1)%uint64(len(qs))]}
		})
	})
	// Out-of-scope questions take the fallback path, which also stores the
	// redacted question for the operator's report.
	oos := devQuestions(b, false)
	b.Run("fallback", func(b *testing.B) {
		benchChat(b, h, func([]byte) map[string]string {
			return map[string]string{"text": oos[n.Add(1)%uint64(len(oos))]}
		})
	})
	b.Run("dialog-step", func(b *testing.B) {
		// Each request is one step: the first choice of the current question,
		// or a new check after a verdict.
		benchChat(b, h, func(prev []byte) map[string]string {
			var r chatReply
			if json.Unmarshal(prev, &r) == nil && r.Question != nil && len(r.Question.Choices) > 0 {
				return map[string]string{"action": r.Question.Choices[0].ID}
			}
			return map[string]string{"text": "admissibilite"}
		})
	})
}

// benchChat runs requests built by next (from the previous response body)
// and reports throughput, the 99th percentile of the server-side latency
// and the process's CPU time per answer: on a machine shared with other
// work, throughput moves with their load, CPU time much less (2 cores
// answer at most 2 s / cpu-µs/op per second).
func benchChat(b *testing.B, h http.Handler, next func(prev []byte) map[string]string) {
	var mu sync.Mutex
	var all []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		sess := newSession(b)
		var prev []byte
		lat := make([]time.Duration, 0, 1024)
		for pb.Next() {
			p := next(prev)
			if _, shared := p["session"]; !shared {
				p["session"] = sess
			}
			start := time.Now()
			rec := serveChat(h, p)
			lat = append(lat, time.Since(start))
			if rec.Code != 200 {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
			prev = rec.Body.Bytes()
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	b.StopTimer()
	cpu := processCPU() - cpu0
	if len(all) == 0 {
		return
	}
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(len(all)), "cpu-µs/op")
	}
	slices.Sort(all)
	p99 := all[len(all)*99/100]
	b.ReportMetric(float64(len(all))/b.Elapsed().Seconds(), "answers/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}

// devQuestions reads testdata/dev_questions.jsonl: the in-scope questions
// when inScope, else the out-of-scope ones.
func devQuestions(t testing.TB, inScope bool) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "dev_questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for line := range strings.Lines(string(raw)) {
		var q struct {
			Q      string  `json:"q"`
			Expect *string `json:"expect"`
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			t.Fatalf("dev_questions.jsonl: %v", err)
		}
		if (q.Expect != nil) == inScope {
			out = append(out, q.Q)
		}
	}
	if len(out) == 0 {
		t.Fatal("dev_questions.jsonl: no question")
	}
	return out
}

// The operator's limits reach the web chat `bot serve` mounts: RATE_LIMIT_*
// and TRUSTED_PROXIES as a new operator would set them.
func TestServeAppliesRateLimits(t *testing.T) {
	t.Parallel()
	env := map[string]string{"RATE_LIMIT_SESSION": "2/1h", "RATE_LIMIT_ADDRESS": "3/1h", "TRUSTED_PROXIES": "192.0.2.0/24"}
	cfg, err := LoadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	app := buildTestApp(context.Background(), t, cfg, nil)
	h := harden(webMux(app), app.Logger)
	post := func(session, client string) *httptest.ResponseRecorder {
		b, _ := json.Marshal(map[string]string{"session": session, "text": "aide"})
		req := httptest.NewRequest("POST", "/api/chat", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "192.0.2.10:443" // the proxy
		req.Header.Set("X-Forwarded-For", client)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	a, b := newSession(t), newSession(t)
	for i, c := range []struct {
		session, client string
		want            int
	}{
		{a, "198.51.100.1", 200}, {a, "198.51.100.1", 200},
		{a, "198.51.100.1", 429}, // the session's 2
		{b, "198.51.100.1", 200},
		{newSession(t), "198.51.100.1", 429}, // the address's 3
		{newSession(t), "198.51.100.2", 200}, // another employee behind the same proxy
	} {
		rec := post(c.session, c.client)
		if rec.Code != c.want {
			t.Fatalf("request %d: status %d, want %d: %s", i+1, rec.Code, c.want, rec.Body)
		}
		if c.want == 429 && rec.Header().Get("Retry-After") == "" {
			t.Errorf("request %d: 429 without Retry-After", i+1)
		}
	}
}

// RATE_LIMIT_USER reaches what the chat platforms talk to, and one
// person's bucket is shared by the platform's mounts, not by other people.
func TestPlatformHandlerLimitsPerUser(t *testing.T) {
	t.Parallel()
	env := map[string]string{"RATE_LIMIT_USER": "2/1h"}
	cfg, err := LoadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	app := buildTestApp(context.Background(), t, cfg, nil)
	m := conversation.Message{Platform: conversation.PlatformSlack, UserID: "U1", ConversationID: "D1", Text: "aide"}
	for i, want := range []string{"", "", "Trop de messages"} {
		r, err := app.platformHandler().Handle(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(r.Text, " ")
		if limited := strings.HasPrefix(got, "Trop de messages"); limited != (want != "") {
			t.Fatalf("message %d: %q; limited %v, want %v", i+1, got, limited, want != "")
		}
	}
	m.UserID = "U2"
	if r, _ := app.platformHandler().Handle(context.Background(), m); strings.HasPrefix(strings.Join(r.Text, " "), "Trop") {
		t.Error("another person was limited")
	}
}
