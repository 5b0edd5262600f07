package teams

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Bot Connector authentication constants (MicrosoftDocs bot-docs,
// "Authentication with the Bot Connector API").
const (
	// DefaultOpenIDURL is the OpenID metadata of tokens sent by the Bot Connector.
	DefaultOpenIDURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	// Issuer is the only issuer accepted on inbound tokens.
	Issuer = "https://api.botframework.com"
	// Leeway tolerated on exp and nbf for clock skew.
	Leeway = 5 * time.Minute
	// serviceURLClaim is the claim name used by the Bot Connector (lowercase).
	serviceURLClaim = "serviceurl"
)

// Key refresh policy: keys rotate rarely; an unknown kid triggers a refresh,
// but at most once per keyRefreshMin so that forged kids cannot make us hammer
// the metadata endpoint. A cache older than keyMaxAge is refreshed anyway.
const (
	keyRefreshMin = time.Minute
	keyMaxAge     = 24 * time.Hour
	fetchTimeout  = 10 * time.Second
	maxMetaBytes  = 1 << 20
	minRSABits    = 2048
)

// authError is a refused request: Status is 401 or 403.
type authError struct {
	Status int
	Reason string // for the operator's log only
	Err    error
}

func (e *authError) Error() string {
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *authError) Unwrap() error { return e.Err }

func unauthorized(reason string, err error) error {
	return &authError{Status: http.StatusUnauthorized, Reason: reason, Err: err}
}

func forbidden(reason string) error {
	return &authError{Status: http.StatusForbidden, Reason: reason}
}

// signingKey is one key of the JWKS with the channels it may sign for.
type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string
}

// keyCache holds the Bot Connector signing keys, fetched from the jwks_uri of
// the OpenID metadata. It keeps its own cache because the endorsements of a
// key matter and generic JWKS helpers drop them.
type keyCache struct {
	metadataURL string
	client      *http.Client
	now         func() time.Time

	mu          sync.Mutex // guards keys, fetched, lastAttempt
	keys        map[string]signingKey
	fetched     time.Time // last successful fetch
	lastAttempt time.Time // last fetch attempt, successful or not

	fetchMu sync.Mutex // one fetch at a time
}

func newKeyCache(metadataURL string, client *http.Client, now func() time.Time) *keyCache {
	return &keyCache{metadataURL: metadataURL, client: client, now: now}
}

// key returns the key with id kid, refreshing the cache when the id is
// unknown or the cache is old, within the rate limit.
func (c *keyCache) key(ctx context.Context, kid string) (signingKey, error) {
	c.mu.Lock()
	k, ok := c.keys[kid]
	stale := c.now().Sub(c.fetched) > keyMaxAge
	c.mu.Unlock()
	if ok && !stale {
		return k, nil
	}
	// Serialise fetches: a burst of requests with a new kid makes one fetch.
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	c.mu.Lock()
	k, ok = c.keys[kid]
	stale = c.now().Sub(c.fetched) > keyMaxAge
	mayFetch := c.lastAttempt.IsZero() || c.now().Sub(c.lastAttempt) >= keyRefreshMin
	if mayFetch && (!ok || stale) {
		c.lastAttempt = c.now()
	}
	c.mu.Unlock()
	if ok && (!stale || !mayFetch) {
		return k, nil
	}
	if !mayFetch {
		return signingKey{}, fmt.Errorf("unknown key id %q (key refresh rate-limited)", kid)
	}
	keys, err := c.fetch(ctx)
	if err != nil {
		if ok { // keep serving a known key when a routine refresh fails
			return k, nil
		}
		return signingKey{}, fmt.Errorf("fetching signing keys: %w", err)
	}
	c.mu.Lock()
	c.keys, c.fetched = keys, c.now()
	c.mu.Unlock()
	if k, ok = keys[kid]; !ok {
		return signingKey{}, fmt.Errorf("unknown key id %q", kid)
	}
	return k, nil
}

func (c *keyCache) fetch(ctx context.Context) (map[string]signingKey, error) {
	// Detached from the caller: a dropped request must not waste a fetch
	// that the rate limit has already counted.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
	defer cancel()
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, c.client, c.metadataURL, &meta); err != nil {
		return nil, fmt.Errorf("openid metadata: %w", err)
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("openid metadata: no jwks_uri")
	}
	var set struct {
		Keys []struct {
			Kty          string   `json:"kty"`
			Use          string   `json:"use"`
			Kid          string   `json:"kid"`
			N            string   `json:"n"`
			E            string   `json:"e"`
			Endorsements []string `json:"endorsements"`
		} `json:"keys"`
	}
	if err := getJSON(ctx, c.client, meta.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys := make(map[string]signingKey, len(set.Keys))
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		pub, err := rsaKey(k.N, k.E)
		if err != nil {
			continue // one bad key must not hide the others
		}
		keys[k.Kid] = signingKey{pub: pub, endorsements: k.Endorsements}
	}
	if len(keys) == 0 {
		return nil, errors.New("jwks: no usable RSA signing key")
	}
	return keys, nil
}

func rsaKey(n64, e64 string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(n64, "="))
	if err != nil {
		return nil, err
	}
	eb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(e64, "="))
	if err != nil {
		return nil, err
	}
	n := new(big.Int).SetBytes(nb)
	e := new(big.Int).SetBytes(eb)
	if n.BitLen() < minRSABits || !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
		return nil, errors.New("weak or malformed RSA key")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxMetaBytes))
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxMetaBytes)).Decode(v)
}

// verifier checks the bearer token of an inbound request.
type verifier struct {
	appID string
	keys  *keyCache
	now   func() time.Time
}

// verify authenticates header (the Authorization value) for an activity
// claiming to come from channelID through serviceURL. It returns an
// *authError on any failure.
func (v *verifier) verify(ctx context.Context, header, channelID, serviceURL string) error {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return unauthorized("missing bearer token", nil)
	}
	var endorsements []string
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(v.appID),
		jwt.WithLeeway(Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(v.now),
	)
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(strings.TrimSpace(raw), claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("no kid in token header")
		}
		k, err := v.keys.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		endorsements = k.endorsements
		return k.pub, nil
	})
	if err != nil {
		return unauthorized("invalid token", err)
	}
	// Checked only after the signature: until then nothing in the token or
	// the activity can be trusted.
	claimed, _ := claims[serviceURLClaim].(string)
	if claimed == "" || serviceURL == "" || claimed != serviceURL {
		return forbidden("serviceurl claim does not match the activity's serviceUrl")
	}
	if channelID == "" || !slices.Contains(endorsements, channelID) {
		return forbidden("signing key not endorsed for the activity's channel")
	}
	return nil
}
