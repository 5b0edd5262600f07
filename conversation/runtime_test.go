package conversation

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRuntimeHandle(t *testing.T) {
	t.Parallel()
	ok := Reply{Lang: LangFR, Text: []string{"réponse"}}
	tests := []struct {
		name     string
		h        HandlerFunc
		locale   string
		wantText string // in the reply
		wantErr  bool
		wantLog  string
	}{
		{"answer passes through", func(context.Context, Message) (Reply, error) { return ok, nil }, "", "réponse", false, ""},
		{"error becomes the apology", func(context.Context, Message) (Reply, error) { return Reply{}, errors.New("store down") },
			"fr-CA", "Désolé, une erreur est survenue", true, "store down"},
		{"panic becomes the apology", func(context.Context, Message) (Reply, error) { panic("bug: Josée") },
			"en-US", "Sorry, something went wrong", true, "panic_type=string"},
		{"deadline says so", func(ctx context.Context, _ Message) (Reply, error) { <-ctx.Done(); return Reply{}, ctx.Err() },
			"fr", "trop de temps", true, "timeout=true"},
		{"empty reply is a failure", func(context.Context, Message) (Reply, error) { return Reply{}, nil },
			"", "Sorry", true, "empty reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			rt := NewRuntime(tt.h, RuntimeOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Timeout: 50 * time.Millisecond})
			r, err := rt.Handle(context.Background(), Message{Text: "secret", Locale: tt.locale})
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %v", err, tt.wantErr)
			}
			if !strings.Contains(r.PlainText(), tt.wantText) {
				t.Errorf("reply %q, want %q", r.PlainText(), tt.wantText)
			}
			if !strings.Contains(logs.String(), tt.wantLog) || strings.Contains(logs.String(), "Josée") {
				t.Errorf("log %q, want %q and no panic value", logs.String(), tt.wantLog)
			}
		})
	}
}

// Work in flight finishes within the grace period; stuck work is cancelled
// after it; loops stop as Shutdown begins; nothing starts afterwards.
func TestRuntimeShutdown(t *testing.T) {
	t.Parallel()
	rt := NewRuntime(HandlerFunc(func(context.Context, Message) (Reply, error) { return Reply{Text: []string{"x"}}, nil }), RuntimeOptions{})
	rt.Start(context.Background())
	finished, stuckEnded, loopEnded := make(chan struct{}), make(chan error, 1), make(chan struct{})
	release := make(chan struct{})
	rt.Go("quick", func(ctx context.Context) { <-release; close(finished) })
	rt.Go("stuck", func(ctx context.Context) { <-ctx.Done(); stuckEnded <- ctx.Err() })
	rt.Loop("gateway", func(ctx context.Context) error { <-ctx.Done(); close(loopEnded); return nil })
	close(release)
	<-finished
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := rt.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the grace period's end", err)
	}
	<-loopEnded
	if err := <-stuckEnded; !errors.Is(err, context.Canceled) {
		t.Errorf("stuck work ended with %v, want cancelled", err)
	}
	if rt.Go("late", func(context.Context) { t.Error("work started after Shutdown") }) {
		t.Error("Go accepted work after Shutdown")
	}
	rt.Wait()
}

func TestRuntimeGuard(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	rt := NewRuntime(nil, RuntimeOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	h := rt.Guard(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/x", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Désolé") {
		t.Errorf("got %d %q, want 500 with the apology", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "panic recovered") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

func TestRuntimeFirstSeen(t *testing.T) {
	t.Parallel()
	rt := NewRuntime(nil, RuntimeOptions{})
	ctx := context.Background()
	if first, _ := rt.FirstSeen(ctx, "k"); !first {
		t.Error("first delivery not new")
	}
	if first, _ := rt.FirstSeen(ctx, "k"); first {
		t.Error("retry counted as new")
	}
}
