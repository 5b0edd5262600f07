package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultTokenURL is the Microsoft Entra token endpoint; {tenant} is
	// replaced by the tenant id of a single-tenant bot.
	DefaultTokenURL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
	// legacyTenant is the tenant of multi-tenant registrations.
	legacyTenant = "botframework.com"
	// TokenScope is the scope of the bot's outbound token.
	TokenScope = "https://api.botframework.com/.default"
	// tokenMargin renews the token this long before it expires.
	tokenMargin = 5 * time.Minute
)

// tokenSource obtains the bot's access token by client credentials and
// caches it until shortly before it expires. Concurrent callers share one
// request.
type tokenSource struct {
	url      string
	clientID string
	secret   string
	client   *http.Client
	now      func() time.Time

	mu       sync.Mutex
	token    string
	expires  time.Time
	inflight *tokenCall
}

type tokenCall struct {
	done  chan struct{}
	token string
	err   error
}

func newTokenSource(tokenURL, tenant, clientID, secret string, client *http.Client, now func() time.Time) *tokenSource {
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	if tenant == "" {
		tenant = legacyTenant
	}
	return &tokenSource{
		url:      strings.ReplaceAll(tokenURL, "{tenant}", url.PathEscape(tenant)),
		clientID: clientID, secret: secret, client: client, now: now,
	}
}

// Token returns a valid bot token.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.token != "" && s.now().Before(s.expires) {
		t := s.token
		s.mu.Unlock()
		return t, nil
	}
	call := s.inflight
	if call == nil {
		call = &tokenCall{done: make(chan struct{})}
		s.inflight = call
		go s.fetch(context.WithoutCancel(ctx), call)
	}
	s.mu.Unlock()
	select {
	case <-call.done:
		return call.token, call.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// invalidate drops a token the connector refused.
func (s *tokenSource) invalidate(token string) {
	s.mu.Lock()
	if s.token == token {
		s.token = ""
	}
	s.mu.Unlock()
}

func (s *tokenSource) fetch(ctx context.Context, call *tokenCall) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	var tok string
	var ttl time.Duration
	var err error
	// The waiters are released even if the request panics: otherwise the
	// call would stay in flight and every later reply would wait on it.
	defer func() {
		if v := recover(); v != nil {
			tok, err = "", fmt.Errorf("bot token: panic (%T)", v)
		}
		s.mu.Lock()
		if err == nil {
			margin := min(tokenMargin, ttl/2)
			s.token, s.expires = tok, s.now().Add(ttl-margin)
		}
		s.inflight = nil
		s.mu.Unlock()
		call.token, call.err = tok, err
		close(call.done)
	}()
	tok, ttl, err = s.request(ctx)
}

func (s *tokenSource) request(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {s.clientID},
		"client_secret": {s.secret},
		"scope":         {TokenScope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("bot token: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxMetaBytes))
	if err := dec.Decode(&body); err != nil && resp.StatusCode == http.StatusOK {
		return "", 0, fmt.Errorf("bot token: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		// The error code (e.g. invalid_client) helps the operator; the
		// description may echo ids, so it is left out.
		return "", 0, fmt.Errorf("bot token: %s %s", resp.Status, body.Error)
	}
	if body.AccessToken == "" || body.ExpiresIn <= 0 {
		return "", 0, errors.New("bot token: response without access_token or expires_in")
	}
	return body.AccessToken, time.Duration(body.ExpiresIn) * time.Second, nil
}
