package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store/memstore"
	"github.com/qc-ia/conformbot/store/sqlite"
)

// On SIGTERM (ctx ends) a request in flight still gets its answer, the
// listener stops taking new ones, and serve returns before the deadline.
func TestShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	app := &App{
		Config: Config{Addr: "127.0.0.1:0"},
		Logger: slog.New(slog.DiscardHandler),
		Store:  memstore.New(),
		Handler: conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
			close(entered)
			<-release
			return conversation.Reply{Lang: "fr", Text: []string{"fini"}}, nil
		}),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, io.Discard, app, ln, nil) }()

	type result struct {
		code int
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Post(url+"/api/chat", "application/json",
			strings.NewReader(`{"session":"0123456789abcdef","text":"allo"}`))
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		got <- result{code: res.StatusCode, body: string(b)}
	}()
	<-entered
	stopped := time.Now()
	cancel() // SIGTERM
	// The listener closes while the request is still in flight.
	for deadline := time.Now().Add(2 * time.Second); ; {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 100*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !app.draining.Load() {
		t.Error("not marked as stopping (/readyz would still say ready)")
	}
	close(release)
	r := <-got
	if r.err != nil || r.code != 200 || !strings.Contains(r.body, "fini") {
		t.Fatalf("in-flight request: %d %q %v; want its answer", r.code, r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve = %v", err)
	}
	if took := time.Since(stopped); took > shutdownTimeout {
		t.Errorf("stopping took %v; want within %v", took, shutdownTimeout)
	}
}

// The report's events and the unanswered questions wait for their group
// (store.Grouped); stopping the app writes them, so a clean stop keeps
// every one: the store reopened after it holds them all.
func TestStopKeepsGroupedEvents(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Config: cfg, Logger: slog.New(slog.DiscardHandler)}
	app, closeApp, err := buildApp(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	h := harden(webMux(app), app.Logger)
	const n = 5
	for i := range n {
		for _, q := range []string{officialQuestion, "Quel temps fera-t-il demain à Québec ?"} {
			if rec := serveChat(h, map[string]string{"session": newSession(t), "text": q}); rec.Code != 200 {
				t.Fatalf("#%d %q: status %d", i, q, rec.Code)
			}
		}
	}
	if err := closeApp(); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.Reviews(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	answers := 0
	for _, r := range rs {
		if r.Kind == conversation.ReviewAnswer {
			answers++
		}
	}
	qs, err := st.Unanswered(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if answers != n || len(qs) != n {
		t.Errorf("after stopping: %d answer events and %d unanswered questions kept; want %d and %d", answers, len(qs), n, n)
	}
}
