package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// The metrics count what happened by route, status, platform, decision and
// verdict, and hold no message text, session or user id.
func TestMetrics(t *testing.T) {
	t.Parallel()
	cfg := Config{DataDir: t.TempDir(), SessionTTL: time.Hour, Retention: time.Hour, MetricsAddr: "127.0.0.1:0",
		MetricsToken: "s3cret"}
	app := buildTestApp(context.Background(), t, cfg, nil)
	if app.Metrics == nil {
		t.Fatal("METRICS_ADDR set but no metrics")
	}
	h := app.Metrics.instrument(harden(webMux(app), app.Logger))
	sess := newSession(t)
	const secretText = "Comment changer la police de mon courriel zqxj ?"
	for _, p := range []map[string]string{
		{"session": sess, "text": "Puis-je encore utiliser ChatGPT ?"},
		{"session": sess, "text": secretText},
		{"session": sess, "text": "bonjour"},
		{"session": sess, "action": "elig:start"},
		{"session": sess, "action": "elig:ans:organisme_public:no"},
	} {
		if rec := serveChat(h, p); rec.Code != 200 {
			t.Fatalf("%v: status %d", p, rec.Code)
		}
	}
	serveChat(h, map[string]string{"session": "short"}) // 400
	if _, err := app.Store.FirstSeen(context.Background(), "slack:event:Ev1", time.Hour); err != nil {
		t.Fatal(err)
	}
	_, _ = app.Store.FirstSeen(context.Background(), "slack:event:Ev1", time.Hour)

	mh := app.Metrics.handler(cfg.MetricsToken)
	rec := httptest.NewRecorder()
	mh.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d; want 401", rec.Code)
	}
	for path, code := range map[string]int{"/metrics": 401, "/nope": 404} {
		rec := httptest.NewRecorder()
		mh.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		var e conversation.ErrorJSON
		if err := json.Unmarshal(rec.Body.Bytes(), &e); rec.Code != code || err != nil || e.ErrorFR == "" || e.ErrorEN == "" {
			t.Errorf("metrics listener %s: %d %q; want %d and the bilingual JSON", path, rec.Code, rec.Body, code)
		}
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	rec = httptest.NewRecorder()
	mh.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	out := string(body)
	for _, want := range []string{
		`conformbot_http_requests_total{code="200",route="/api/chat"} 5`,
		`conformbot_http_requests_total{code="400",route="/api/chat"} 1`,
		`conformbot_messages_total{decision="answer",platform="web"} 1`,
		`conformbot_messages_total{decision="off-topic",platform="web"} 1`,
		`conformbot_messages_total{decision="greeting",platform="web"} 1`,
		`conformbot_verdicts_total{platform="web",verdict="hors-portee"} 1`,
		`conformbot_duplicates_dropped_total{platform="slack"} 1`,
		`conformbot_purges_total{result="ran"} 1`,
		`conformbot_http_request_duration_seconds_bucket{route="/api/chat",le="+Inf"} 6`,
		`conformbot_message_duration_seconds_count{platform="web"} 5`,
		`conformbot_discord_gateway_held 0`,
		`conformbot_session_conflicts_total 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, leak := range []string{sess, "zqxj", "courriel", "Ev1"} {
		if strings.Contains(out, leak) {
			t.Errorf("metrics hold %q", leak)
		}
	}
	// Every label value of our series belongs to a closed set.
	labels := regexp.MustCompile(`(?m)^conformbot_\w+\{([^}]*)\}`)
	for _, m := range labels.FindAllStringSubmatch(out, -1) {
		for _, kv := range strings.Split(m[1], ",") {
			if len(kv) > 60 {
				t.Errorf("suspicious label %s", kv)
			}
		}
	}
}

// /readyz checks the store and says 503 once stopping; /healthz stays up.
func TestReadyz(t *testing.T) {
	t.Parallel()
	cfg := Config{DataDir: t.TempDir(), SessionTTL: time.Hour, Retention: time.Hour}
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Config: cfg, Logger: discardLogger}
	app, closeApp, err := buildApp(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	h := webMux(app)
	get := func(path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code
	}
	if c := get("/readyz"); c != 200 {
		t.Errorf("/readyz = %d; want 200", c)
	}
	app.draining.Store(true)
	if c := get("/readyz"); c != 503 {
		t.Errorf("/readyz while stopping = %d; want 503", c)
	}
	app.draining.Store(false)
	if err := closeApp(); err != nil {
		t.Fatal(err)
	}
	if c := get("/readyz"); c != 503 {
		t.Errorf("/readyz with the store closed = %d; want 503", c)
	}
	if c := get("/healthz"); c != 200 {
		t.Errorf("/healthz = %d; want 200", c)
	}
}

var discardLogger = slog.New(slog.DiscardHandler)

// A bad or unreachable DATABASE_URL stops `bot serve` at once with a message
// naming the variable.
func TestServeBadDatabaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url string
		code      int
		want      string
	}{
		{"not postgres", "mysql://x@y/z", exitUsage, "DATABASE_URL"},
		{"unreachable", "postgres://bot@127.0.0.1:1/none?sslmode=disable", exitFail, "DATABASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := LoadConfig(func(k string) (string, bool) {
				if k == "DATABASE_URL" {
					return tt.url, true
				}
				return "", false
			})
			if tt.code == exitUsage {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("LoadConfig error %v; want one naming %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg.DataDir = t.TempDir() // the content caches, not ./data of the source tree
			var stderr strings.Builder
			env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, Config: cfg, Logger: discardLogger}
			if code := runServe(context.Background(), env, []string{"--addr", "127.0.0.1:0"}); code != tt.code {
				t.Errorf("exit %d; want %d", code, tt.code)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("message %q; want it to name %s", stderr.String(), tt.want)
			}
		})
	}
}
