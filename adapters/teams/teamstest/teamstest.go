// Package teamstest fakes the Microsoft services a Teams bot talks to, on
// httptest servers: the Bot Connector's OpenID metadata and signing keys
// (with endorsements), the Entra token endpoint and the Bot Connector REST
// API, plus a signer for inbound tokens. The protocol constants are written
// out here, independently of the adapter, so that tests check the adapter
// against the documented protocol rather than against itself.
package teamstest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Protocol values (MicrosoftDocs bot-docs, "Authentication with the Bot Connector API").
const (
	Issuer     = "https://api.botframework.com"
	TokenScope = "https://api.botframework.com/.default"
	CardType   = "application/vnd.microsoft.card.adaptive"
)

// RSA keys are slow to generate: three shared by every test of the process.
var (
	keysOnce sync.Once
	keys     [3]*rsa.PrivateKey
)

// Keys returns three 2048-bit RSA keys shared by the tests.
func Keys() (a, b, other *rsa.PrivateKey) {
	keysOnce.Do(func() {
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[i] = k
		}
	})
	return keys[0], keys[1], keys[2]
}

// JWK is one key of the JWKS as the Bot Connector publishes it.
type JWK struct {
	Kty          string   `json:"kty"`
	Use          string   `json:"use,omitempty"`
	Kid          string   `json:"kid"`
	N            string   `json:"n"`
	E            string   `json:"e"`
	Endorsements []string `json:"endorsements,omitempty"`
}

// PublicJWK publishes pub under kid, endorsed for the given channels.
func PublicJWK(kid string, pub *rsa.PublicKey, endorsements ...string) JWK {
	return JWK{Kty: "RSA", Use: "sig", Kid: kid,
		N:            base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		Endorsements: endorsements}
}

// Identity serves the OpenID metadata and the JWKS.
type Identity struct {
	srv        *httptest.Server
	mu         sync.Mutex
	keys       []JWK
	KeyFetches atomic.Int32
}

// NewIdentity starts the metadata server with keys.
func NewIdentity(t testing.TB, keys ...JWK) *Identity {
	f := &Identity{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/.well-known/openidconfiguration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                Issuer,
			"jwks_uri":                              f.srv.URL + "/v1/.well-known/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/v1/.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		f.KeyFetches.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": f.keys})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// OpenIDURL is the value for TEAMS_OPENID_URL.
func (f *Identity) OpenIDURL() string { return f.srv.URL + "/v1/.well-known/openidconfiguration" }

// SetKeys replaces the published keys (a rotation).
func (f *Identity) SetKeys(keys ...JWK) {
	f.mu.Lock()
	f.keys = keys
	f.mu.Unlock()
}

// TokenServer issues bot tokens "bot-token-N" by client credentials.
type TokenServer struct {
	srv   *httptest.Server
	Hits  atomic.Int32
	Paths chan string // path of each successful request
}

// NewTokenServer accepts only clientID/secret with the Bot Framework scope.
func NewTokenServer(t testing.TB, clientID, secret string) *TokenServer {
	f := &TokenServer{Paths: make(chan string, 100)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil ||
			r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_id") != clientID ||
			r.PostForm.Get("client_secret") != secret ||
			r.PostForm.Get("scope") != TokenScope {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		n := f.Hits.Add(1)
		select {
		case f.Paths <- r.URL.Path:
		default:
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"token_type": "Bearer", "expires_in": 3600,
			"access_token": "bot-token-" + strconv.Itoa(int(n)),
		})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the value for TEAMS_TOKEN_URL, with its {tenant} placeholder.
func (f *TokenServer) URL() string { return f.srv.URL + "/{tenant}/oauth2/v2.0/token" }

// Post is one request the bot made to the connector: a new activity
// (POST), an update of one (PUT), or a new conversation (POST
// /v3/conversations, Activity empty and Create set).
type Post struct {
	Method   string
	Path     string // escaped path
	Auth     string // Authorization header
	ID       string // the activity's id: given by the connector on POST, from the path on PUT
	Activity Activity
	Create   *CreateConversation
}

// CreateConversation is the body of POST /v3/conversations (a proactive
// one-to-one chat).
type CreateConversation struct {
	Bot         struct{ ID string }   `json:"bot"`
	Members     []struct{ ID string } `json:"members"`
	TenantID    string                `json:"tenantId"`
	IsGroup     bool                  `json:"isGroup"`
	ChannelData struct {
		Tenant struct{ ID string } `json:"tenant"`
	} `json:"channelData"`
}

// Activity is what the bot posts, decoded enough to check it.
type Activity struct {
	Type         string `json:"type"`
	ReplyToID    string `json:"replyToId"`
	Summary      string `json:"summary"`
	Conversation struct {
		ID string `json:"id"`
	} `json:"conversation"`
	Attachments []struct {
		ContentType string          `json:"contentType"`
		Content     json.RawMessage `json:"content"`
	} `json:"attachments"`
}

// Connector is the Bot Connector REST API: it records activities, gives
// each posted one an id, applies updates, and answers 201 (200 to an
// update), or the statuses queued with Then.
type Connector struct {
	srv      *httptest.Server
	Got      chan Post
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
	n        int
	order    []string            // activity ids in the order they were posted
	current  map[string]Activity // each activity as last posted or updated
	where    map[string]string   // activity id -> conversation id
}

// NewConnector starts the fake connector.
func NewConnector(t testing.TB) *Connector {
	f := &Connector{Got: make(chan Post, 200), current: map[string]Activity{}, where: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := Post{Method: r.Method, Path: r.URL.EscapedPath(), Auth: r.Header.Get("Authorization")}
		create := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v3/conversations")
		var err error
		if create {
			p.Create = &CreateConversation{}
			err = json.NewDecoder(r.Body).Decode(p.Create)
		} else {
			err = json.NewDecoder(r.Body).Decode(&p.Activity)
		}
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		status, h := f.pop(r.Method)
		ok := status >= 200 && status < 300
		f.mu.Lock()
		switch {
		case create:
			f.n++
			p.ID = "a:personal-" + strconv.Itoa(f.n)
		case r.Method == http.MethodPut:
			p.ID = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
			if _, known := f.current[p.ID]; !known && ok {
				status, ok = http.StatusNotFound, false
			}
			if ok {
				f.current[p.ID] = p.Activity
			}
		case ok:
			f.n++
			p.ID = "act-" + strconv.Itoa(f.n)
			if p.Activity.Type != "typing" {
				f.order = append(f.order, p.ID)
				f.current[p.ID] = p.Activity
				f.where[p.ID] = conversationOf(r.URL.Path)
			}
		}
		f.mu.Unlock()
		f.Got <- p
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		if ok {
			_ = json.NewEncoder(w).Encode(map[string]string{"id": p.ID})
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// conversationOf reads the conversation id of a /v3/conversations/{id}/activities path.
func conversationOf(path string) string {
	_, rest, _ := strings.Cut(path, "/v3/conversations/")
	id, _, _ := strings.Cut(rest, "/activities")
	return id
}

// Transcript is what a person sees in conversation: every activity
// posted there (typing indicators aside), in order, as last updated.
func (f *Connector) Transcript(conversation string) []Activity {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Activity
	for _, id := range f.order {
		if f.where[id] == conversation {
			out = append(out, f.current[id])
		}
	}
	return out
}

func (f *Connector) pop(method string) (int, http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.statuses) == 0 {
		if method == http.MethodPut {
			return http.StatusOK, nil
		}
		return http.StatusCreated, nil
	}
	s, h := f.statuses[0], f.headers[0]
	f.statuses, f.headers = f.statuses[1:], f.headers[1:]
	return s, h
}

// Then queues a response for the next request.
func (f *Connector) Then(status int, h http.Header) {
	f.mu.Lock()
	f.statuses = append(f.statuses, status)
	f.headers = append(f.headers, h)
	f.mu.Unlock()
}

// ServiceURL is what activities carry (with the trailing slash Teams uses).
func (f *Connector) ServiceURL() string { return f.srv.URL + "/teams/" }

// Next waits for the next post.
func (f *Connector) Next(t testing.TB) Post {
	t.Helper()
	select {
	case p := <-f.Got:
		return p
	case <-time.After(20 * time.Second):
		t.Fatal("connector received nothing")
		return Post{}
	}
}

// Message reports whether p posts a new message (not an update, a typing
// indicator or a new conversation).
func (p Post) Message() bool {
	return p.Method == http.MethodPost && p.Create == nil && p.Activity.Type == "message"
}

// NextMessage waits for the next new message, skipping updates, typing
// indicators and new conversations.
func (f *Connector) NextMessage(t testing.TB) Post {
	t.Helper()
	for {
		if p := f.Next(t); p.Message() {
			return p
		}
	}
}

// None asserts nothing was posted; call it once the adapter is idle.
func (f *Connector) None(t testing.TB) {
	t.Helper()
	select {
	case p := <-f.Got:
		t.Fatalf("connector received %s, want nothing", p.Path)
	default:
	}
}

// Claims are valid inbound claims at now for a bot and a serviceUrl.
func Claims(appID, serviceURL string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": Issuer, "aud": appID, "serviceurl": serviceURL,
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
		"iat": now.Add(-time.Minute).Unix(),
	}
}

// Sign makes an RS256 token with kid in its header.
func Sign(t testing.TB, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
