package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

// Any /api/chat body: a reply or a bilingual 4xx, never a 500 or a panic.
func FuzzChatBody(f *testing.F) {
	for _, s := range []string{
		body(map[string]string{"session": session, "text": "Puis-je utiliser Copilot ?"}),
		body(map[string]string{"session": session, "action": "dlg:organisme_public:yes", "lang": "en"}),
		`{"session": "short", "text": "x"}`, `{"session": "` + session + `", "text": "a", "action": "b"}`,
		`{"session": "` + session + `", "text": "\ud800"}`, `{"session": 1}`, `[]`, `{} {}`, `{"text": "` + strings.Repeat("é", 3000) + `"}`, "",
	} {
		f.Add(s)
	}
	// The decoder alone: one fuzzing session id would soon meet its rate limit.
	mux := http.NewServeMux()
	New(&recorder{}, nil, WithLimits(Limits{})).Register(mux)
	f.Fuzz(func(t *testing.T, s string) {
		req := httptest.NewRequest(http.MethodPost, "/api/chat", strings.NewReader(s))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			var e conversation.ErrorJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorFR == "" || e.ErrorEN == "" {
				t.Fatalf("%d %q: want the bilingual error", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("body %q: status %d %q", s, rec.Code, rec.Body)
		}
	})
}
