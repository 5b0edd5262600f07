package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

func TestTeamsMount(t *testing.T) {
	t.Parallel()
	m := registeredMount(t, "teams")
	if m.enabled(Config{TeamsAppID: "id"}) || !m.enabled(Config{TeamsAppID: "id", TeamsAppPassword: "pw"}) {
		t.Error("teams must be enabled exactly when TEAMS_APP_ID and TEAMS_APP_PASSWORD are set")
	}
	app := &App{Config: Config{TeamsAppID: "id", TeamsAppPassword: "pw"}, Logger: slog.New(slog.DiscardHandler),
		Handler: conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
			t.Error("handler reached without authentication")
			return conversation.Reply{}, nil
		})}
	mux := http.NewServeMux()
	startMount(t, "teams", app, mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/messages", strings.NewReader(`{"type":"message"}`)))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("unauthenticated POST /api/messages = %d, want 401", rec.Code)
	}
}
