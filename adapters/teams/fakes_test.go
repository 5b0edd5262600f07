package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/qc-ia/conformbot/adapters/teams/teamstest"
	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/testclock"
)

const (
	testAppID    = "11111111-2222-3333-4444-555555555555"
	testPassword = "s3cret-value"
	testTenant   = "tenant-qc"
)

// newClock is a settable clock shared by the adapter and the tests.
func newClock() *testclock.Clock { return testclock.New(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)) }

// sleeps records backoff waits without waiting.
type sleeps struct{ ch chan time.Duration }

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.ch <- d
	return ctx.Err()
}

// env is one adapter wired to the fake Microsoft services.
type env struct {
	a      *Adapter
	clock  *testclock.Clock
	id     *teamstest.Identity
	tokens *teamstest.TokenServer
	conn   *teamstest.Connector
	sleeps *sleeps
	msgs   chan conversation.Message
}

// newEnv builds an adapter on fakes; handler nil means an echo of the text.
func newEnv(t testing.TB, handler conversation.Handler, tweak ...func(*Config)) *env {
	t.Helper()
	ka, _, _ := teamstest.Keys()
	e := &env{clock: newClock(), conn: teamstest.NewConnector(t),
		tokens: teamstest.NewTokenServer(t, testAppID, testPassword),
		sleeps: &sleeps{ch: make(chan time.Duration, 100)}, msgs: make(chan conversation.Message, 100)}
	e.id = teamstest.NewIdentity(t, teamstest.PublicJWK("key-a", &ka.PublicKey, "msteams", "webchat"))
	if handler == nil {
		handler = conversation.HandlerFunc(func(ctx context.Context, m conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{Lang: conversation.LangFR, Text: []string{"Reçu : " + m.Text + m.Action}}, nil
		})
	}
	recorded := conversation.HandlerFunc(func(ctx context.Context, m conversation.Message) (conversation.Reply, error) {
		select {
		case e.msgs <- m:
		default: // benchmarks do not read them
		}
		return handler.Handle(ctx, m)
	})
	cfg := Config{
		AppID: testAppID, Password: testPassword, TenantID: testTenant,
		OpenIDURL: e.id.OpenIDURL(), TokenURL: e.tokens.URL(),
		Handler: recorded, Now: e.clock.Now, Sleep: e.sleeps.Sleep,
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	}
	for _, f := range tweak {
		f(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		now, cancel := context.WithCancel(context.Background())
		cancel()
		_ = a.Shutdown(now)
	})
	a.typingAfter = time.Hour // no typing indicator unless a test asks for one
	e.a = a
	return e
}

// claims returns valid claims for an activity served from serviceURL.
func (e *env) claims(serviceURL string) jwt.MapClaims {
	return teamstest.Claims(testAppID, serviceURL, e.clock.Now())
}

// activity is a personal-chat message from a user.
func (e *env) activity(text string) map[string]any {
	return map[string]any{
		"type": "message", "id": "1700000000001", "channelId": "msteams",
		"serviceUrl": e.conn.ServiceURL(), "locale": "fr-CA", "text": text,
		"from":         map[string]any{"id": "29:user-1", "name": "Marie Tremblay", "aadObjectId": "aad-user-1"},
		"recipient":    map[string]any{"id": "28:" + testAppID, "name": "ConformBot"},
		"conversation": map[string]any{"id": "a:personal-conv;x=1", "conversationType": "personal", "tenantId": testTenant},
		"channelData":  map[string]any{"tenant": map[string]any{"id": testTenant}},
	}
}

// post sends act with the bearer token and returns the status.
func (e *env) post(t testing.TB, token string, act any) int {
	t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(string(body)))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.a.ServeHTTP(rec, req)
	return rec.Code
}

// validToken signs the standard claims with key-a.
func (e *env) validToken(t testing.TB) string {
	ka, _, _ := teamstest.Keys()
	return teamstest.Sign(t, ka, "key-a", e.claims(e.conn.ServiceURL()))
}
