package slack

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Any signed body on the three endpoints (slash command form, interaction
// payload, event JSON): a 2xx or a 4xx, never a 5xx or a panic; the same
// body unsigned is refused.
func FuzzRequests(f *testing.F) {
	h := newHarness(f, newFakeEngine())
	handler := h.srv.Config.Handler
	f.Add(uint8(0), string(commandForm("Puis-je utiliser Copilot?", "r1", h.fake)))
	f.Add(uint8(0), "text=caf%E9&command=%2Fia&user_id=U1&team_id=T1&channel_id=C1")
	f.Add(uint8(1), url.Values{"payload": {`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1"},"actions":[{"action_id":"dlg:a:yes","value":"x"}]}`}}.Encode())
	f.Add(uint8(1), "payload=%7B%7D")
	f.Add(uint8(1), "payload=not-json")
	f.Add(uint8(2), `{"type":"url_verification","challenge":"abc"}`)
	f.Add(uint8(2), `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"message","channel_type":"im","user":"U1","channel":"D1","text":"\ud800 allo"}}`)
	f.Add(uint8(2), `{"type":"event_callback","event":{"type":"app_mention","text":"<@U0> `+strings.Repeat("é", 4000)+`"}}`)
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		path, ct := []string{"/slack/commands", "/slack/interactions", "/slack/events"}[route%3], formType
		if route%3 == 2 {
			ct = "application/json"
		}
		req := signedRequest("", path, ct, []byte(body), time.Now())
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d", path, body, rec.Code)
		}
		if rec.Code == http.StatusOK && !utf8.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %q: invalid UTF-8 in the response", path, body)
		}
		req = signedRequest("", path, ct, []byte(body), time.Now())
		req.Header.Set("X-Slack-Signature", "v0=00")
		rec = httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code < 400 {
			t.Fatalf("%s: unsigned body accepted (%d)", path, rec.Code)
		}
	})
}

// Mrkdwn rendering and splitting of any text.
func FuzzMrkdwn(f *testing.F) {
	for _, s := range []string{"Voir le [guide](https://www.quebec.ca/a?b=1&c=2) & **gras** <x>", strings.Repeat("\x80", 3001), "🙂*_~`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, part := range splitMrkdwn(toMrkdwn(s), maxSectionText) {
			if slackLen(part) > maxSectionText && utf8.RuneCountInString(part) > 1 && strings.Count(part, "<") == 0 {
				t.Fatalf("section of %d > %d", slackLen(part), maxSectionText)
			}
		}
	})
}
