package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/ratelimit"
)

// One client cannot starve the others: a session or an address over its
// bucket gets a bilingual 429 with Retry-After, the engine is not called,
// and other sessions and addresses are served. X-Forwarded-For counts only
// from a trusted proxy.
func TestChatRateLimits(t *testing.T) {
	t.Parallel()
	two := ratelimit.Limit{Events: 1, Per: time.Hour, Burst: 2} // 2 at once, then one an hour
	proxies, err := ratelimit.ParsePrefixes("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	const other = "fedcba9876543210fedcba9876543210"
	type req struct {
		session, remote, xff string
		body                 string // default: a text message
		want                 int
	}
	tests := []struct {
		name   string
		limits Limits
		reqs   []req
	}{
		{name: "per session", limits: Limits{Session: two}, reqs: []req{
			{session: session, want: 200}, {session: session, want: 200}, {session: session, want: 429},
			{session: other, want: 200}, // same address, another session
		}},
		{name: "per address", limits: Limits{Address: two}, reqs: []req{
			{session: session, want: 200}, {session: other, want: 200},
			{session: "Another-session-0123456789", want: 429}, // a new session id does not help
			{session: session, remote: "198.51.100.9:5000", want: 200},
		}},
		{name: "a session refused does not drain its address", limits: Limits{Address: ratelimit.Limit{Events: 1, Per: time.Hour, Burst: 3}, Session: two}, reqs: []req{
			{session: session, want: 200}, {session: session, want: 200},
			{session: session, want: 429}, {session: session, want: 429}, {session: session, want: 429},
			{session: other, want: 200}, // a colleague behind the same address
			{session: "Another-session-0123456789", want: 429},
		}},
		{name: "address checked before the body is read", limits: Limits{Address: two}, reqs: []req{
			{session: session, want: 200}, {session: session, want: 200},
			{body: `not json`, want: 429},
		}},
		{name: "forged X-Forwarded-For ignored without trusted proxies", limits: Limits{Address: two}, reqs: []req{
			{session: session, xff: "198.51.100.1", want: 200}, {session: session, xff: "198.51.100.2", want: 200},
			{session: session, xff: "198.51.100.3", want: 429},
		}},
		{name: "behind a trusted proxy, each client has its bucket", limits: Limits{Address: two, Proxies: proxies}, reqs: []req{
			{session: session, remote: "10.0.0.1:80", xff: "198.51.100.1", want: 200},
			{session: session, remote: "10.0.0.1:80", xff: "198.51.100.1", want: 200},
			{session: session, remote: "10.0.0.1:80", xff: "198.51.100.1", want: 429},
			{session: session, remote: "10.0.0.1:80", xff: "198.51.100.2", want: 200},
			// A forged left entry does not make a new client.
			{session: session, remote: "10.0.0.1:80", xff: "1.2.3.4, 198.51.100.1", want: 429},
		}},
		{name: "IPv6 clients share their /64", limits: Limits{Address: two}, reqs: []req{
			{session: session, remote: "[2001:db8::1]:80", want: 200}, {session: session, remote: "[2001:db8::2]:80", want: 200},
			{session: session, remote: "[2001:db8::3]:80", want: 429},
			{session: session, remote: "[2001:db8:0:1::1]:80", want: 200},
		}},
		{name: "off", limits: Limits{}, reqs: []req{
			{session: session, want: 200}, {session: session, want: 200}, {session: session, want: 200}, {session: session, want: 200},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &recorder{}
			mux := http.NewServeMux()
			New(fake, nil, WithLimits(tt.limits)).Register(mux)
			served := 0
			for i, r := range tt.reqs {
				b := r.body
				if b == "" {
					b = body(map[string]string{"session": r.session, "text": "Puis-je utiliser ChatGPT ?"})
				}
				hr := httptest.NewRequest("POST", "/api/chat", strings.NewReader(b))
				hr.Header.Set("Content-Type", "application/json")
				if r.remote != "" {
					hr.RemoteAddr = r.remote
				}
				if r.xff != "" {
					hr.Header.Set("X-Forwarded-For", r.xff)
				}
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, hr)
				if rec.Code != r.want {
					t.Fatalf("request %d: status %d, want %d; body %s", i+1, rec.Code, r.want, rec.Body)
				}
				if r.want == 200 {
					served++
				}
				if r.want != 429 {
					continue
				}
				secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
				if err != nil || secs < 1 || secs > 3600 {
					t.Errorf("request %d: Retry-After %q, want whole seconds up to an hour", i+1, rec.Header().Get("Retry-After"))
				}
				var e conversation.ErrorJSON
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil ||
					!strings.Contains(e.ErrorFR, "Réessayez dans "+strconv.Itoa(secs)+" s") ||
					!strings.Contains(e.ErrorEN, "Try again in "+strconv.Itoa(secs)+" s") {
					t.Errorf("request %d: body %s, want both languages with the wait", i+1, rec.Body)
				}
			}
			if n := len(fake.Messages()); n != served {
				t.Errorf("engine called %d times, want %d (never for a 429)", n, served)
			}
		})
	}
}

// The defaults are on, and loose enough for a person clicking through a
// whole eligibility check at once.
func TestDefaultLimitsServeAPerson(t *testing.T) {
	t.Parallel()
	if DefaultSessionLimit.Off() || DefaultAddressLimit.Off() {
		t.Fatal("a default rate limit is off")
	}
	mux := newMux(&recorder{}, nil)
	limited := false
	// The bucket refills one a second: a few more than the burst must meet a 429.
	for i := 0; i < DefaultSessionLimit.Burst+5 && !limited; i++ {
		hr := httptest.NewRequest("POST", "/api/chat", strings.NewReader(body(map[string]string{"session": session, "action": "check:yes"})))
		hr.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, hr)
		switch {
		case i < DefaultSessionLimit.Burst && rec.Code != 200:
			t.Fatalf("click %d: status %d, want 200", i+1, rec.Code)
		case rec.Code == 429:
			limited = true
		}
	}
	if !limited {
		t.Errorf("%d clicks at once were all served: the default session limit is not applied", DefaultSessionLimit.Burst+5)
	}
}
