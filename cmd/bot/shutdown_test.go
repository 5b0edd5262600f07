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
