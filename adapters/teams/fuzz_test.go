package teams

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/qc-ia/conformbot/adapters/teams/teamstest"
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

// The Bot Connector token check alone, on any Authorization header,
// channel and serviceUrl: it accepts only a token whose signed part is one
// the test signed, for the serviceUrl it names and a channel its key is
// endorsed for; every refusal is a 401 or a 403.
func FuzzJWT(f *testing.F) {
	e := newEnv(f, nil)
	ka, _, other := teamstest.Keys()
	svc := e.conn.ServiceURL()
	valid := e.validToken(f)
	expired := e.claims(svc)
	expired["exp"] = e.clock.Now().Add(-time.Hour).Unix()
	wrongAud := e.claims(svc)
	wrongAud["aud"] = "someone-else"
	wrongIss := e.claims(svc)
	wrongIss["iss"] = "https://evil.example"
	b64 := base64.RawURLEncoding.EncodeToString
	none := b64([]byte(`{"alg":"none","typ":"JWT","kid":"key-a"}`)) + "." + b64([]byte(`{"iss":"https://api.botframework.com","aud":"`+testAppID+`","serviceurl":"`+svc+`","exp":4102444800}`)) + "."
	parts := strings.Split(valid, ".")
	hs := b64([]byte(`{"alg":"HS256","typ":"JWT","kid":"key-a"}`)) + "." + parts[1] + "." + parts[2]
	for _, tok := range []string{
		valid, none, hs,
		teamstest.Sign(f, ka, "key-a", expired), teamstest.Sign(f, ka, "key-a", wrongAud), teamstest.Sign(f, ka, "key-a", wrongIss),
		teamstest.Sign(f, other, "key-a", e.claims(svc)), teamstest.Sign(f, ka, "key-zz", e.claims(svc)),
		parts[0] + "." + parts[1] + ".", valid + ".", "a.b.c", "",
	} {
		f.Add("Bearer "+tok, "msteams", svc)
	}
	f.Add("Bearer "+valid, "slack", svc)
	f.Add("Bearer "+valid, "msteams", "https://evil.example/teams/")
	f.Add("bearer "+valid, "msteams", svc)
	f.Add("Basic dXNlcjpwYXNz", "msteams", svc)
	signed := parts[0] + "." + parts[1]
	if err := e.a.verifier.verify(context.Background(), "Bearer "+valid, "msteams", svc); err != nil {
		f.Fatalf("the genuine token is refused: %v", err) // else the target checks nothing
	}
	f.Fuzz(func(t *testing.T, header, channelID, serviceURL string) {
		err := e.a.verifier.verify(context.Background(), header, channelID, serviceURL)
		if err == nil {
			raw := strings.TrimSpace(strings.TrimPrefix(header, "Bearer "))
			p := strings.Split(raw, ".")
			if len(p) != 3 || p[0]+"."+p[1] != signed || serviceURL != svc || (channelID != "msteams" && channelID != "webchat") {
				t.Fatalf("accepted header %q for channel %q, serviceUrl %q", header, channelID, serviceURL)
			}
			return
		}
		var ae *authError
		if !errors.As(err, &ae) || (ae.Status != http.StatusUnauthorized && ae.Status != http.StatusForbidden) {
			t.Fatalf("refusal %v is not a 401 or 403", err)
		}
	})
}

// Card text: any reply text and size limit gives cards within the limit
// (but for a single character wider than it), and no text is lost.
func FuzzCards(f *testing.F) {
	for _, s := range []string{"Un paragraphe.\n\nUn autre.", strings.Repeat("é\"<>\\ ", 400), "\xff\x00\u2028", "🙂"} {
		f.Add(s, maxCardBytes)
		f.Add(s, 900)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 800 || limit > 2*maxCardBytes {
			return
		}
		s = conversation.ValidText(s)
		r := conversation.Reply{Lang: conversation.LangFR, Text: []string{s}}
		var got strings.Builder
		for _, c := range renderCards(r, limit) {
			for _, e := range c.Body {
				if n := jsonSize(e); n > limit && len([]rune(e.Text)) > 1 {
					t.Fatalf("element of %d bytes in a card limited to %d", n, limit)
				}
				got.WriteString(e.Text)
			}
		}
		// Cards lay text out on any Unicode space (a vertical tab too), as
		// strings.Fields does: only the other runes must all arrive.
		strip := func(x string) string {
			return strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, x)
		}
		if strip(got.String()) != strip(s) {
			t.Fatalf("card text of %q lost text: %q", s, got.String())
		}
	})
}

// Retry-After from the Bot Connector: seconds or an HTTP date, never a
// negative wait (testdata holds the overflow it found: "9227000000").
func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, s := range []string{"3", "-5", "", " 120 ", "Fri, 27 Nov 2026 09:01:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "99999999999999999999", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if d := parseRetryAfter(v, now); d < 0 || d > 24*time.Hour {
			t.Fatalf("parseRetryAfter(%q) = %v", v, d)
		}
	})
}
