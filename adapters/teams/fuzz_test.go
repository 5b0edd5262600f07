package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

// Any activity body behind a valid token, and any Authorization header: a
// 2xx or a 4xx, never a 5xx or a panic; no forged token is accepted.
func FuzzActivity(f *testing.F) {
	e := newEnv(f, conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{}, nil
	}))
	token := e.validToken(f)
	good, _ := json.Marshal(e.activity("<at>ConformBot</at> Copilot est-il visé ?"))
	f.Add(string(good), true)
	f.Add(string(good), false)
	f.Add(`{"type":"message","text":"\ud800","value":{"action":"x"}}`, true)
	f.Add(`{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"data":{"a":1}}}}`, true)
	f.Add(`{"type":"conversationUpdate","membersAdded":[{}]}`, true)
	f.Add(`[]`, true)
	f.Add("", false)
	f.Fuzz(func(t *testing.T, body string, signed bool) {
		req := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(body))
		if signed {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.Header.Set("Authorization", body) // a forged or garbled token
		}
		rec := httptest.NewRecorder()
		e.a.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if !signed && rec.Code < 300 {
			t.Fatalf("accepted without a valid token: %q", body)
		}
	})
}
