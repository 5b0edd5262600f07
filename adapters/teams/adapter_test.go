package teams

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/qc-ia/conformbot/adapters/teams/teamstest"
	"github.com/qc-ia/conformbot/conversation"
)

func TestValidTokenGetsReplyPostedWithBotToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	act := e.activity("<at>ConformBot</at> Est-ce que   l'IA générative est visée ?")
	act["conversation"] = map[string]any{"id": "19:chan@thread.tacv2;messageid=1699", "conversationType": "channel"}
	act["id"] = "1699/2"
	if got := e.post(t, e.validToken(t), act); got != http.StatusOK {
		t.Fatalf("status = %d, want 200", got)
	}
	m := <-e.msgs
	want := conversation.Message{Platform: "teams", UserID: testTenant + ":aad-user-1",
		ConversationID: "19:chan@thread.tacv2;messageid=1699",
		Text:           "Est-ce que l'IA générative est visée ?", Locale: "fr-CA",
		// « abonner » here subscribes the channel, not the thread.
		Channel: conversation.Channel{ID: "19:chan@thread.tacv2", Address: e.conn.ServiceURL()}}
	if m != want {
		t.Errorf("message = %+v\nwant      %+v", m, want)
	}
	p := e.conn.Next(t)
	if p.Auth != "Bearer bot-token-1" {
		t.Errorf("Authorization = %q, want the bot token", p.Auth)
	}
	wantPath := "/teams/v3/conversations/19:chan@thread.tacv2%3Bmessageid=1699/activities/1699%2F2"
	if p.Path != wantPath {
		t.Errorf("path = %s, want %s", p.Path, wantPath)
	}
	if p.Activity.ReplyToID != "1699/2" || p.Activity.Type != "message" {
		t.Errorf("activity = %+v, want a message replying to 1699/2", p.Activity)
	}
	if len(p.Activity.Attachments) != 1 || p.Activity.Attachments[0].ContentType != cardContentType {
		t.Fatalf("attachments = %+v, want one Adaptive Card", p.Activity.Attachments)
	}
	if !strings.Contains(string(p.Activity.Attachments[0].Content), "Reçu : Est-ce que") {
		t.Errorf("card = %s, want the handler's text", p.Activity.Attachments[0].Content)
	}
	if got := <-e.tokens.Paths; got != "/"+testTenant+"/oauth2/v2.0/token" {
		t.Errorf("token path = %s, want the tenant's", got)
	}
}

func TestRefusedRequestsPostNothing(t *testing.T) {
	t.Parallel()
	ka, kb, kOther := teamstest.Keys()
	type tc struct {
		name   string
		token  func(e *env) string
		act    func(e *env, act map[string]any)
		status int
	}
	claims := func(e *env, edit func(jwt.MapClaims)) jwt.MapClaims {
		c := e.claims(e.conn.ServiceURL())
		edit(c)
		return c
	}
	cases := []tc{
		{name: "no token", token: func(e *env) string { return "" }, status: 401},
		{name: "wrong audience", status: 401, token: func(e *env) string {
			return teamstest.Sign(t, ka, "key-a", claims(e, func(c jwt.MapClaims) { c["aud"] = "another-bot" }))
		}},
		{name: "wrong issuer", status: 401, token: func(e *env) string {
			return teamstest.Sign(t, ka, "key-a", claims(e, func(c jwt.MapClaims) { c["iss"] = "https://sts.windows.net/evil/" }))
		}},
		{name: "expired beyond leeway", status: 401, token: func(e *env) string {
			return teamstest.Sign(t, ka, "key-a", claims(e, func(c jwt.MapClaims) {
				c["exp"] = e.clock.Now().Add(-6 * time.Minute).Unix()
			}))
		}},
		{name: "not yet valid beyond leeway", status: 401, token: func(e *env) string {
			return teamstest.Sign(t, ka, "key-a", claims(e, func(c jwt.MapClaims) {
				c["nbf"] = e.clock.Now().Add(6 * time.Minute).Unix()
			}))
		}},
		{name: "no expiry", status: 401, token: func(e *env) string {
			return teamstest.Sign(t, ka, "key-a", claims(e, func(c jwt.MapClaims) { delete(c, "exp") }))
		}},
		{name: "bad signature", status: 401, token: func(e *env) string {
			return teamstest.Sign(t, kOther, "key-a", e.claims(e.conn.ServiceURL()))
		}},
		{name: "tampered payload", status: 401, token: func(e *env) string {
			parts := strings.Split(teamstest.Sign(t, ka, "key-a", e.claims(e.conn.ServiceURL())), ".")
			forged := teamstest.Sign(t, ka, "key-a", claims(e, func(c jwt.MapClaims) { c["aud"] = "x" }))
			return parts[0] + "." + strings.Split(forged, ".")[1] + "." + parts[2]
		}},
		{name: "unknown kid", status: 401, token: func(e *env) string {
			return teamstest.Sign(t, kb, "key-b", e.claims(e.conn.ServiceURL()))
		}},
		{name: "no kid", status: 401, token: func(e *env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, e.claims(e.conn.ServiceURL()))
			s, _ := tok.SignedString(ka)
			return s
		}},
		{name: "alg none", status: 401, token: func(e *env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, e.claims(e.conn.ServiceURL()))
			tok.Header["kid"] = "key-a"
			s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}},
		{name: "HS256 with the public key as secret", status: 401, token: func(e *env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, e.claims(e.conn.ServiceURL()))
			tok.Header["kid"] = "key-a"
			s, _ := tok.SignedString(x509.MarshalPKCS1PublicKey(&ka.PublicKey))
			return s
		}},
		{name: "RS512", status: 401, token: func(e *env) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS512, e.claims(e.conn.ServiceURL()))
			tok.Header["kid"] = "key-a"
			s, _ := tok.SignedString(ka)
			return s
		}},
		{name: "serviceUrl mismatch", status: 403,
			token: func(e *env) string { return e.validToken(t) },
			act:   func(e *env, a map[string]any) { a["serviceUrl"] = "https://evil.example/teams/" }},
		{name: "no serviceurl claim", status: 403, token: func(e *env) string {
			return teamstest.Sign(t, ka, "key-a", claims(e, func(c jwt.MapClaims) { delete(c, "serviceurl") }))
		}},
		{name: "channel not endorsed", status: 403,
			token: func(e *env) string { return e.validToken(t) },
			act:   func(e *env, a map[string]any) { a["channelId"] = "slack" }},
		{name: "no channelId", status: 403,
			token: func(e *env) string { return e.validToken(t) },
			act:   func(e *env, a map[string]any) { delete(a, "channelId") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
				t.Error("handler called for a refused request")
				return conversation.Reply{}, nil
			}))
			act := e.activity("bonjour")
			if c.act != nil {
				c.act(e, act)
			}
			if got := e.post(t, c.token(e), act); got != c.status {
				t.Errorf("status = %d, want %d", got, c.status)
			}
			e.a.Wait()
			e.conn.None(t)
			if n := e.tokens.Hits.Load(); n != 0 {
				t.Errorf("token endpoint called %d times for a refused request", n)
			}
		})
	}
}

func TestEndorsementMissingFromKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ka, _, _ := teamstest.Keys()
	e.id.SetKeys(teamstest.PublicJWK("key-a", &ka.PublicKey, "webchat"))
	if got := e.post(t, e.validToken(t), e.activity("bonjour")); got != http.StatusForbidden {
		t.Errorf("status = %d, want 403", got)
	}
	e.a.Wait()
	e.conn.None(t)
}

func TestLeewayAcceptsSlightlyExpiredToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ka, _, _ := teamstest.Keys()
	c := e.claims(e.conn.ServiceURL())
	c["exp"] = e.clock.Now().Add(-4 * time.Minute).Unix()
	c["nbf"] = e.clock.Now().Add(4 * time.Minute).Unix()
	if got := e.post(t, teamstest.Sign(t, ka, "key-a", c), e.activity("bonjour")); got != http.StatusOK {
		t.Fatalf("status = %d, want 200 within the 5-minute leeway", got)
	}
	e.conn.Next(t)
}

func TestKeyRefreshIsRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	_, kb, _ := teamstest.Keys()
	if got := e.post(t, e.validToken(t), e.activity("un")); got != 200 {
		t.Fatalf("status = %d, want 200", got)
	}
	e.conn.Next(t)
	if n := e.id.KeyFetches.Load(); n != 1 {
		t.Fatalf("key fetches = %d, want 1", n)
	}
	tokenB := func() string { return teamstest.Sign(t, kb, "key-b", e.claims(e.conn.ServiceURL())) }
	// The key rotates at the identity provider; within a minute of the last
	// fetch, unknown kids are refused without fetching again.
	ka, _, _ := teamstest.Keys()
	e.id.SetKeys(teamstest.PublicJWK("key-a", &ka.PublicKey, "msteams"), teamstest.PublicJWK("key-b", &kb.PublicKey, "msteams"))
	for range 3 {
		if got := e.post(t, tokenB(), e.activity("deux")); got != 401 {
			t.Fatalf("status = %d, want 401 while rate-limited", got)
		}
	}
	if n := e.id.KeyFetches.Load(); n != 1 {
		t.Fatalf("key fetches = %d, want 1 (rate limit)", n)
	}
	e.clock.Advance(61 * time.Second)
	if got := e.post(t, tokenB(), e.activity("trois")); got != 200 {
		t.Fatalf("status = %d, want 200 after refresh", got)
	}
	e.conn.Next(t)
	if n := e.id.KeyFetches.Load(); n != 2 {
		t.Fatalf("key fetches = %d, want 2", n)
	}
	// Known keys are served from the cache.
	if got := e.post(t, e.validToken(t), e.activity("quatre")); got != 200 {
		t.Fatalf("status = %d, want 200", got)
	}
	e.conn.Next(t)
	if n := e.id.KeyFetches.Load(); n != 2 {
		t.Fatalf("key fetches = %d, want 2 (cached)", n)
	}
}

func TestConnectorRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		responses []int
		header    http.Header
		wantPosts int
		wantWaits []time.Duration
	}{
		{"429 with Retry-After then success", []int{429}, http.Header{"Retry-After": {"7"}}, 2, []time.Duration{7 * time.Second}},
		{"503 twice then success", []int{503, 502}, nil, 3, []time.Duration{time.Second, 2 * time.Second}},
		{"always 500: bounded", []int{500, 500, 500, 500, 500}, nil, maxAttempts,
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"400 is not retried", []int{400}, nil, 1, nil},
		{"Retry-After capped", []int{429}, http.Header{"Retry-After": {"3600"}}, 2, []time.Duration{maxBackoff}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			for _, s := range c.responses {
				e.conn.Then(s, c.header)
			}
			if got := e.post(t, e.validToken(t), e.activity("bonjour")); got != 200 {
				t.Fatalf("status = %d", got)
			}
			e.a.Wait()
			if n := len(e.conn.Got); n != c.wantPosts {
				t.Errorf("posts = %d, want %d", n, c.wantPosts)
			}
			close(e.sleeps.ch)
			var waits []time.Duration
			for d := range e.sleeps.ch {
				waits = append(waits, d)
			}
			if len(waits) != len(c.wantWaits) {
				t.Fatalf("waits = %v, want %v", waits, c.wantWaits)
			}
			for i := range waits {
				if waits[i] != c.wantWaits[i] {
					t.Errorf("waits = %v, want %v", waits, c.wantWaits)
				}
			}
		})
	}
}

func TestConnector401RenewsTokenOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.conn.Then(401, nil)
	if got := e.post(t, e.validToken(t), e.activity("bonjour")); got != 200 {
		t.Fatalf("status = %d", got)
	}
	if p := e.conn.Next(t); p.Auth != "Bearer bot-token-1" {
		t.Errorf("first auth = %s", p.Auth)
	}
	if p := e.conn.Next(t); p.Auth != "Bearer bot-token-2" {
		t.Errorf("second auth = %s, want a renewed token", p.Auth)
	}
}

func TestBotTokenIsCachedAndRenewed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for i := range 3 {
		if got := e.post(t, e.validToken(t), e.activity("q")); got != 200 {
			t.Fatalf("status = %d", got)
		}
		if p := e.conn.Next(t); p.Auth != "Bearer bot-token-1" {
			t.Errorf("post %d auth = %s, want the cached token", i, p.Auth)
		}
	}
	e.clock.Advance(56 * time.Minute) // past expiry minus the renewal margin
	if got := e.post(t, e.validToken(t), e.activity("q")); got != 200 {
		t.Fatalf("status = %d", got)
	}
	if p := e.conn.Next(t); p.Auth != "Bearer bot-token-2" {
		t.Errorf("auth = %s, want a renewed token", p.Auth)
	}
}

// panicTransport is an HTTP client transport that panics on every request.
type panicTransport struct{}

func (panicTransport) RoundTrip(*http.Request) (*http.Response, error) { panic("transport bug") }

// A token request that panics fails its callers instead of leaving them,
// and every later caller, waiting on a request that never ends.
func TestTokenSourcePanicReleasesCallers(t *testing.T) {
	t.Parallel()
	ts := newTokenSource("http://127.0.0.1:1/{tenant}", "", "id", "secret", &http.Client{Transport: panicTransport{}}, time.Now)
	for i := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		tok, err := ts.Token(ctx)
		cancel()
		if err == nil || errors.Is(err, context.DeadlineExceeded) || tok != "" {
			t.Errorf("call %d: token %q, err %v; want the panic as an error at once", i+1, tok, err)
		}
	}
}

func TestTokenSourceSharesOneRequest(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	arrived := make(chan struct{}, 10)
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++ // only one request may ever be in flight: the race detector checks it
		arrived <- struct{}{}
		<-release
		_, _ = w.Write([]byte(`{"access_token":"shared","expires_in":3600}`))
	}))
	defer srv.Close()
	ts := newTokenSource(srv.URL+"/{tenant}", "", "id", "secret", srv.Client(), time.Now)
	results := make(chan string, 8)
	for range 8 {
		go func() {
			tok, err := ts.Token(context.Background())
			if err != nil {
				tok = err.Error()
			}
			results <- tok
		}()
	}
	<-arrived
	close(release)
	for range 8 {
		if got := <-results; got != "shared" {
			t.Errorf("token = %q, want shared", got)
		}
	}
	if hits != 1 {
		t.Errorf("token requests = %d, want 1", hits)
	}
	if ts.url != srv.URL+"/botframework.com" {
		t.Errorf("url = %s, want the botframework.com tenant when none is set", ts.url)
	}
	// A caller that gives up does not break the shared fetch.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ts.invalidate("shared")
	if _, err := ts.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestWelcomeWhenBotIsAdded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	up := e.activity("")
	up["type"] = "conversationUpdate"
	up["membersAdded"] = []map[string]any{{"id": "29:someone"}}
	if got := e.post(t, e.validToken(t), up); got != 200 {
		t.Fatalf("status = %d", got)
	}
	e.a.Wait()
	e.conn.None(t)

	up["membersAdded"] = []map[string]any{{"id": "28:" + testAppID}}
	if got := e.post(t, e.validToken(t), up); got != 200 {
		t.Fatalf("status = %d", got)
	}
	if m := <-e.msgs; m.Action != conversation.ActHelp || m.Locale != "fr-CA" {
		t.Errorf("welcome message = %+v, want the help command", m)
	}
	p := e.conn.Next(t)
	if want := "/teams/v3/conversations/a:personal-conv%3Bx=1/activities"; p.Path != want {
		t.Errorf("path = %s, want %s", p.Path, want)
	}
	if p.Activity.ReplyToID != "" {
		t.Errorf("replyToId = %q, want none for a welcome", p.Activity.ReplyToID)
	}
}

func TestCardSubmitBecomesAction(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	act := e.activity("")
	act["value"] = map[string]any{"action": "elig:usage:oui"}
	if got := e.post(t, e.validToken(t), act); got != 200 {
		t.Fatalf("status = %d", got)
	}
	if m := <-e.msgs; m.Action != "elig:usage:oui" || m.Text != "" {
		t.Errorf("message = %+v, want the submitted action", m)
	}
	e.conn.Next(t)
}

func TestHandlerFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		handler  conversation.HandlerFunc
		wantPost string // "" when nothing must be posted
	}{
		{"error gets an apology", func(context.Context, conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{}, errors.New("index down")
		}, "Désolé, une erreur est survenue"},
		// As on every platform (the runtime's rule): the user is never left
		// without a reply.
		{"panic is recovered with an apology", func(context.Context, conversation.Message) (conversation.Reply, error) {
			panic("boom")
		}, "Désolé, une erreur est survenue"},
		{"empty reply gets an apology", func(context.Context, conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{}, nil
		}, "Désolé, une erreur est survenue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, c.handler)
			if got := e.post(t, e.validToken(t), e.activity("x")); got != 200 {
				t.Fatalf("status = %d", got)
			}
			e.a.Wait()
			if c.wantPost == "" {
				e.conn.None(t)
				return
			}
			if p := e.conn.Next(t); !strings.Contains(string(p.Activity.Attachments[0].Content), c.wantPost) {
				t.Errorf("card = %s, want %q", p.Activity.Attachments[0].Content, c.wantPost)
			}
		})
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cases := []struct {
		name   string
		method string
		body   string
		token  string
		want   int
	}{
		{"GET", http.MethodGet, "", e.validToken(t), 405},
		{"too large", http.MethodPost, `{"text":"` + strings.Repeat("a", maxBody) + `"}`, e.validToken(t), 413},
		{"not JSON, valid token", http.MethodPost, "{", e.validToken(t), 400},
		{"not JSON, no token", http.MethodPost, "{", "", 401},
		{"not JSON, forged token", http.MethodPost, "{", "abc.def.ghi", 401},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, Path, strings.NewReader(c.body))
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		rec := httptest.NewRecorder()
		e.a.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s: status = %d, want %d", c.name, rec.Code, c.want)
		}
	}
	e.a.Wait()
	e.conn.None(t)
}

func TestDuplicateDeliveryHandledOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]bool{}
	e := newEnv(t, nil, func(c *Config) {
		c.Deduper = dedupeFunc(func(key string) bool {
			mu.Lock()
			defer mu.Unlock()
			first := !seen[key]
			seen[key] = true
			return first
		})
	})
	for range 2 {
		if got := e.post(t, e.validToken(t), e.activity("bonjour")); got != 200 {
			t.Fatalf("status = %d", got)
		}
	}
	e.a.Wait()
	e.conn.Next(t)
	e.conn.None(t)
	for k := range seen {
		if strings.Contains(k, "personal-conv") {
			t.Errorf("dedupe key %q holds a clear conversation id", k)
		}
	}
}

type dedupeFunc func(key string) bool

func (f dedupeFunc) FirstSeen(_ context.Context, key string, _ time.Duration) (bool, error) {
	return f(key), nil
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	bot := map[string]bool{"ConformBot": true, "Conform Bot": true}
	cases := []struct{ in, want string }{
		{"<at>ConformBot</at> bonjour", "bonjour"},
		{"<at id=\"0\">Conform Bot</at>&nbsp;est-ce &amp; quoi ?", "est-ce & quoi ?"},
		{"<p>ligne 1</p><p>ligne <b>2</b></p>", "ligne 1\nligne 2"},
		{"3 < 4 et 5 > 2", "3 < 4 et 5 > 2"},
		{"  ", ""},
		{"<at>ConformBot</at> Est-ce que <at>Julie Gagnon</at> peut utiliser Copilot ?", "Est-ce que Julie Gagnon peut utiliser Copilot ?"},
		{"<at>L&#39;Équipe &lt;TI&gt;</at> a-t-elle le droit ?", "L'Équipe <TI> a-t-elle le droit ?"},
	}
	for _, c := range cases {
		if got := cleanText(c.in, bot); got != c.want {
			t.Errorf("cleanText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Only the bot's own mention goes, found by the entity's mentioned.id;
// colleagues' names stay in the text.
func TestOnlyTheBotsMentionIsStripped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	act := e.activity("")
	act["text"] = "<at>ConformBot</at> Est-ce que <at>Julie</at> et <at>ConformBot</at> peuvent utiliser Copilot ?"
	act["entities"] = []any{
		map[string]any{"type": "mention", "text": "<at>ConformBot</at>", "mentioned": map[string]any{"id": "28:" + testAppID, "name": "ConformBot"}},
		map[string]any{"type": "mention", "text": "<at>Julie</at>", "mentioned": map[string]any{"id": "29:julie", "name": "Julie"}},
		map[string]any{"type": "clientInfo", "locale": "fr-CA"},
	}
	if got := e.post(t, e.validToken(t), act); got != 200 {
		t.Fatalf("status %d", got)
	}
	m := <-e.msgs
	if m.Text != "Est-ce que Julie et peuvent utiliser Copilot ?" {
		t.Errorf("text = %q, want Julie kept and the bot's mentions gone", m.Text)
	}
	if m.Names != "Julie" {
		t.Errorf("names = %q, want Julie's, for redaction", m.Names)
	}
	act["text"] = "<at>ConformBot</at> <at>Marie</at> demande"
	act["entities"] = []any{
		map[string]any{"type": "mention", "text": "<at>ConformBot</at>", "mentioned": map[string]any{"id": "28:" + testAppID}},
		map[string]any{"type": "mention", "text": "<at>Marie</at>", "mentioned": map[string]any{"id": "29:marie"}},
	}
	act["id"] = "2"
	e.post(t, e.validToken(t), act)
	if m := <-e.msgs; m.Text != "Marie demande" {
		t.Errorf("text = %q", m.Text)
	}
}

func TestUserIdentity(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		act  Activity
		want string
	}{
		{"tenant and aad", Activity{From: Account{ID: "29:x", AADObjectID: "aad"}, Conversation: Conversation{TenantID: "t"}}, "t:aad"},
		{"no aad", Activity{From: Account{ID: "29:x"}}, "29:x"},
	}
	for _, c := range cases {
		if got := c.act.userID(); got != c.want {
			t.Errorf("%s: userID = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNewRequiresCredentials(t *testing.T) {
	t.Parallel()
	h := conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{}, nil
	})
	for _, cfg := range []Config{{Password: "p", Handler: h}, {AppID: "a", Handler: h}, {AppID: "a", Password: "p"}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted an incomplete config", cfg)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"": 0, "5": 5 * time.Second, "-1": 0, "soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	}
	for in, want := range cases {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// BenchmarkServeHTTP measures the acknowledged path of the endpoint: token
// verification (cached key), parsing, and the hand-off to the background.
func BenchmarkServeHTTP(b *testing.B) {
	e := newEnv(b, conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{}, nil // nothing to post: the connector stays out of the measure
	}))
	body, _ := json.Marshal(e.activity("<at>ConformBot</at> est-ce que Copilot est visé ?"))
	token := e.validToken(b)
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		e.a.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status = %d", rec.Code)
		}
	}
	e.a.Wait()
}

func TestShutdownAbandonsStuckReplies(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	e := newEnv(t, conversation.HandlerFunc(func(ctx context.Context, _ conversation.Message) (conversation.Reply, error) {
		close(started)
		<-ctx.Done() // a handler stuck until the adapter gives up
		return conversation.Reply{}, ctx.Err()
	}))
	if got := e.post(t, e.validToken(t), e.activity("x")); got != 200 {
		t.Fatalf("status = %d", got)
	}
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no grace left
	e.a.Shutdown(ctx)
	e.conn.None(t)
}

func TestConnectorErrorHidesConversationID(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // connection refused
	c := &connector{client: srv.Client(), sleep: (&sleeps{ch: make(chan time.Duration, 10)}).Sleep, now: time.Now,
		tokens: &tokenSource{token: "t", expires: time.Now().Add(time.Hour), now: time.Now}}
	endpoint, err := activityURL(srv.URL+"/", "a:secret-conversation", "1")
	if err != nil {
		t.Fatal(err)
	}
	err = c.send(context.Background(), endpoint, &outActivity{Type: "message"})
	if err == nil || strings.Contains(err.Error(), "secret-conversation") {
		t.Errorf("err = %v, want an error without the conversation id", err)
	}
}

// A subscription made in a channel thread posts to the channel itself,
// through the serviceUrl the activity came from.
func TestMessageChannel(t *testing.T) {
	t.Parallel()
	a := &Adapter{}
	for _, c := range []struct{ conv, want string }{
		{"19:abc@thread.tacv2;messageid=1700000000", "19:abc@thread.tacv2"},
		{"a:personal-conv", "a:personal-conv"},
	} {
		act := Activity{Type: "message", Text: "abonner", ServiceURL: "https://smba.trafficmanager.net/amer/"}
		act.Conversation.ID = c.conv
		m, ok := a.message(&act)
		if !ok || m.Channel.ID != c.want || m.Channel.Address != act.ServiceURL {
			t.Errorf("conversation %q: channel %+v; want %q at the serviceUrl", c.conv, m.Channel, c.want)
		}
	}
}
