package teams

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/qc-ia/conformbot/conversation"
)

const (
	testAppID    = "11111111-2222-3333-4444-555555555555"
	testPassword = "s3cret-value"
	testTenant   = "tenant-qc"
)

// RSA keys are slow to generate: three shared by every test.
var (
	keysOnce             sync.Once
	keyA, keyB, keyOther *rsa.PrivateKey
)

func testKeys(t testing.TB) (a, b, other *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		gen := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		keyA, keyB, keyOther = gen(), gen(), gen()
	})
	return keyA, keyB, keyOther
}

// fakeClock is a settable clock shared by the adapter and the tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type jwk struct {
	Kty          string   `json:"kty"`
	Use          string   `json:"use,omitempty"`
	Kid          string   `json:"kid"`
	N            string   `json:"n"`
	E            string   `json:"e"`
	Endorsements []string `json:"endorsements,omitempty"`
}

func toJWK(kid string, pub *rsa.PublicKey, endorsements ...string) jwk {
	return jwk{Kty: "RSA", Use: "sig", Kid: kid,
		N:            base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		Endorsements: endorsements}
}

// fakeIdentity serves the OpenID metadata and the JWKS.
type fakeIdentity struct {
	srv       *httptest.Server
	mu        sync.Mutex
	keys      []jwk
	keyFetchs atomic.Int32
}

func newFakeIdentity(t testing.TB, keys ...jwk) *fakeIdentity {
	f := &fakeIdentity{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/.well-known/openidconfiguration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                Issuer,
			"jwks_uri":                              f.srv.URL + "/v1/.well-known/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/v1/.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		f.keyFetchs.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": f.keys})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIdentity) URL() string { return f.srv.URL + "/v1/.well-known/openidconfiguration" }

func (f *fakeIdentity) setKeys(keys ...jwk) {
	f.mu.Lock()
	f.keys = keys
	f.mu.Unlock()
}

// fakeTokenServer issues bot tokens by client credentials.
type fakeTokenServer struct {
	srv   *httptest.Server
	hits  atomic.Int32
	paths chan string
}

func newFakeTokenServer(t testing.TB) *fakeTokenServer {
	f := &fakeTokenServer{paths: make(chan string, 100)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil ||
			r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_id") != testAppID ||
			r.PostForm.Get("client_secret") != testPassword ||
			r.PostForm.Get("scope") != TokenScope {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		n := f.hits.Add(1)
		f.paths <- r.URL.Path
		_ = json.NewEncoder(w).Encode(map[string]any{
			"token_type": "Bearer", "expires_in": 3600,
			"access_token": "bot-token-" + strconv.Itoa(int(n)),
		})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTokenServer) URL() string { return f.srv.URL + "/{tenant}/oauth2/v2.0/token" }

// posted is one request the fake connector received.
type posted struct {
	Path string // escaped path
	Auth string
	Act  outActivityJSON
}

// outActivityJSON mirrors what the bot posts, decoded generically enough to
// check the card.
type outActivityJSON struct {
	Type         string `json:"type"`
	ReplyToID    string `json:"replyToId"`
	Conversation struct {
		ID string `json:"id"`
	} `json:"conversation"`
	Attachments []struct {
		ContentType string          `json:"contentType"`
		Content     json.RawMessage `json:"content"`
	} `json:"attachments"`
}

// fakeConnector records activities; statuses, when set, are returned in
// order (then 201).
type fakeConnector struct {
	srv      *httptest.Server
	got      chan posted
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
}

func newFakeConnector(t testing.TB) *fakeConnector {
	f := &fakeConnector{got: make(chan posted, 100)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p posted
		p.Path = r.URL.EscapedPath()
		p.Auth = r.Header.Get("Authorization")
		if err := json.NewDecoder(r.Body).Decode(&p.Act); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.got <- p
		f.mu.Lock()
		status := http.StatusCreated
		if len(f.statuses) > 0 {
			status = f.statuses[0]
			f.statuses = f.statuses[1:]
			for k, v := range f.headers[0] {
				w.Header()[k] = v
			}
			f.headers = f.headers[1:]
		}
		f.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"id":"reply-1"}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// then queues a response status with headers.
func (f *fakeConnector) then(status int, h http.Header) {
	f.mu.Lock()
	f.statuses = append(f.statuses, status)
	f.headers = append(f.headers, h)
	f.mu.Unlock()
}

// ServiceURL is what activities carry (with the trailing slash Teams uses).
func (f *fakeConnector) ServiceURL() string { return f.srv.URL + "/teams/" }

func (f *fakeConnector) next(t testing.TB) posted {
	t.Helper()
	select {
	case p := <-f.got:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("connector received nothing")
		return posted{}
	}
}

// none asserts nothing was posted; call after Adapter.Wait.
func (f *fakeConnector) none(t testing.TB) {
	t.Helper()
	select {
	case p := <-f.got:
		t.Fatalf("connector received %s, want nothing", p.Path)
	default:
	}
}

// sleeps records backoff waits without waiting.
type sleeps struct{ ch chan time.Duration }

func newSleeps() *sleeps { return &sleeps{ch: make(chan time.Duration, 100)} }

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.ch <- d
	return ctx.Err()
}

// env is one adapter wired to fakes.
type env struct {
	a      *Adapter
	clock  *fakeClock
	id     *fakeIdentity
	tokens *fakeTokenServer
	conn   *fakeConnector
	sleeps *sleeps
	msgs   chan conversation.Message
}

// newEnv builds an adapter on fakes; handler nil means an echo of the text.
func newEnv(t testing.TB, handler conversation.Handler) *env {
	t.Helper()
	ka, _, _ := testKeys(t)
	e := &env{clock: newClock(), conn: newFakeConnector(t), tokens: newFakeTokenServer(t),
		sleeps: newSleeps(), msgs: make(chan conversation.Message, 100)}
	e.id = newFakeIdentity(t, toJWK("key-a", &ka.PublicKey, "msteams", "webchat"))
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
	a, err := New(Config{
		AppID: testAppID, Password: testPassword, TenantID: testTenant,
		OpenIDURL: e.id.URL(), TokenURL: e.tokens.URL(),
		Handler: recorded, Now: e.clock.Now, Sleep: e.sleeps.Sleep,
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	e.a = a
	return e
}

// claims returns valid claims for an activity served from serviceURL.
func (e *env) claims(serviceURL string) jwt.MapClaims {
	now := e.clock.Now()
	return jwt.MapClaims{
		"iss": Issuer, "aud": testAppID, "serviceurl": serviceURL,
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
		"iat": now.Add(-time.Minute).Unix(),
	}
}

func sign(t testing.TB, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
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
	ka, _, _ := testKeys(t)
	return sign(t, ka, "key-a", e.claims(e.conn.ServiceURL()))
}

func mustUnescape(t testing.TB, s string) string {
	t.Helper()
	u, err := url.PathUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
