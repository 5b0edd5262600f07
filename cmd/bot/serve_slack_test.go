package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

func TestSlackMountEnabled(t *testing.T) {
	t.Parallel()
	m := registeredMount(t, "slack")
	cases := []struct {
		c    Config
		want bool
	}{
		{Config{}, false},
		{Config{SlackBotToken: "xoxb"}, false},
		{Config{SlackSigningSecret: "s", SlackAppToken: "xapp"}, false},
		{Config{SlackBotToken: "xoxb", SlackSigningSecret: "s"}, true},
		{Config{SlackBotToken: "xoxb", SlackAppToken: "xapp"}, true},
	}
	for _, c := range cases {
		if got := m.enabled(c.c); got != c.want {
			t.Errorf("enabled(%+v) = %v, want %v", c.c, got, c.want)
		}
	}
}

// signSlack signs body as Slack does (v0, HMAC-SHA256 of "v0:ts:body").
func signSlack(r *http.Request, secret string, body string, ts time.Time) {
	s := strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:%s", s, body)
	r.Header.Set("X-Slack-Request-Timestamp", s)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(m.Sum(nil)))
}

func TestSlackMountHTTP(t *testing.T) {
	t.Parallel()
	const secret = "test-secret"
	app := &App{
		Config: Config{SlackBotToken: "xoxb-test", SlackSigningSecret: secret, SlackCommand: "/ia", SlackAPIURL: "http://127.0.0.1:1/"},
		Logger: slog.New(slog.DiscardHandler),
		Handler: conversation.HandlerFunc(func(_ context.Context, m conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{Lang: "fr", Text: []string{"reçu : " + m.Text}}, nil
		}),
	}
	mux := http.NewServeMux()
	startMount(t, "slack", app, mux) // routes, and no Socket Mode without SLACK_APP_TOKEN
	body := url.Values{"command": {"/ia"}, "text": {"bonjour"}, "team_id": {"T"}, "user_id": {"U"}, "channel_id": {"C"}}.Encode()
	for _, c := range []struct {
		name   string
		secret string
		want   int
	}{{"unsigned", "", 401}, {"signed", secret, 200}} {
		req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if c.secret != "" {
			signSlack(req, c.secret, body, time.Now())
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s: status %d, want %d", c.name, rec.Code, c.want)
		}
		if c.want == 200 && !strings.Contains(rec.Body.String(), "reçu : bonjour") {
			t.Errorf("%s: answer %s", c.name, rec.Body.String())
		}
	}
}
