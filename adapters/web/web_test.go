package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/testengine"
)

const session = "0123456789abcdef0123456789abcdef"

// recorder is a fake engine that keeps the messages it got and answers
// through Reply (default: "ok").
type recorder = testengine.Recorder

func newMux(h conversation.Handler, logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	New(h, logger).Register(mux)
	return mux
}

func body(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestChatRequests(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 3000)
	stale := "faq:v0:does-not-exist"
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		wantStatus  int
		wantMsg     *conversation.Message // what the engine must receive; nil: nothing
	}{
		{name: "text", method: "POST", body: body(map[string]string{"session": session, "text": "Puis-je utiliser ChatGPT ?"}),
			wantStatus: 200, wantMsg: &conversation.Message{Text: "Puis-je utiliser ChatGPT ?"}},
		{name: "action with lang", method: "POST", body: body(map[string]string{"session": session, "action": "check:yes", "lang": "en"}),
			wantStatus: 200, wantMsg: &conversation.Message{Action: "check:yes", Lang: "en"}},
		{name: "stale action reaches the engine", method: "POST", body: body(map[string]string{"session": session, "action": stale}),
			wantStatus: 200, wantMsg: &conversation.Message{Action: stale}},
		{name: "unknown session is passed on", method: "POST", body: body(map[string]string{"session": "Zz_-" + session, "text": "aide"}),
			wantStatus: 200, wantMsg: &conversation.Message{Text: "aide"}},
		{name: "long text is passed on whole", method: "POST", body: body(map[string]string{"session": session, "text": long}),
			wantStatus: 200, wantMsg: &conversation.Message{Text: long}},
		{name: "charset in content type", method: "POST", contentType: "application/json; charset=utf-8",
			body: body(map[string]string{"session": session, "text": "bonjour"}), wantStatus: 200, wantMsg: &conversation.Message{Text: "bonjour"}},
		{name: "body over 64 KB", method: "POST", body: body(map[string]string{"session": session, "text": strings.Repeat("a", MaxBody)}), wantStatus: 413},
		{name: "invalid JSON", method: "POST", body: `{"session": "` + session + `", "text": `, wantStatus: 400},
		{name: "not an object", method: "POST", body: `["aide"]`, wantStatus: 400},
		{name: "trailing data", method: "POST", body: body(map[string]string{"session": session, "text": "a"}) + `{}`, wantStatus: 400},
		{name: "empty body", method: "POST", body: ``, wantStatus: 400},
		{name: "missing session", method: "POST", body: body(map[string]string{"text": "aide"}), wantStatus: 400},
		{name: "session too short", method: "POST", body: body(map[string]string{"session": "abc", "text": "aide"}), wantStatus: 400},
		{name: "session too long", method: "POST", body: body(map[string]string{"session": strings.Repeat("a", 65), "text": "aide"}), wantStatus: 400},
		{name: "session with bad characters", method: "POST", body: body(map[string]string{"session": session + "/../x", "text": "aide"}), wantStatus: 400},
		{name: "neither text nor action", method: "POST", body: body(map[string]string{"session": session}), wantStatus: 400},
		{name: "blank text", method: "POST", body: body(map[string]string{"session": session, "text": " \n\t"}), wantStatus: 400},
		{name: "text and action", method: "POST", body: body(map[string]string{"session": session, "text": "a", "action": "b"}), wantStatus: 400},
		{name: "unknown lang", method: "POST", body: body(map[string]string{"session": session, "text": "a", "lang": "de"}), wantStatus: 400},
		{name: "wrong type of field", method: "POST", body: `{"session": 12, "text": "a"}`, wantStatus: 400},
		{name: "form post", method: "POST", contentType: "application/x-www-form-urlencoded", body: "session=" + session + "&text=a", wantStatus: 415},
		{name: "text/plain post", method: "POST", contentType: "text/plain", body: body(map[string]string{"session": session, "text": "a"}), wantStatus: 415},
		{name: "GET", method: "GET", wantStatus: 405},
		{name: "PUT", method: "PUT", body: body(map[string]string{"session": session, "text": "a"}), wantStatus: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &recorder{}
			mux := newMux(fake, nil)
			req := httptest.NewRequest(tt.method, "/api/chat", strings.NewReader(tt.body))
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)

			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Errorf("Content-Type = %q, want JSON", got)
			}
			got := fake.Messages()
			if tt.wantMsg == nil {
				if len(got) != 0 {
					t.Errorf("engine called %d times for a rejected request", len(got))
				}
				var e conversation.ErrorJSON
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.ErrorFR == "" || e.ErrorEN == "" || e.Error == "" {
					t.Errorf("error body = %s (%v), want French and English messages", rec.Body, err)
				}
				if tt.wantStatus == 405 && rec.Header().Get("Allow") != "POST" {
					t.Errorf("Allow = %q, want POST", rec.Header().Get("Allow"))
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("engine called %d times, want 1", len(got))
			}
			// A reply goes whole, with its length (buffers are reused
			// between requests: a reply is never another's).
			if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(rec.Body.Len()) || !json.Valid(rec.Body.Bytes()) {
				t.Errorf("Content-Length %q for a body of %d bytes (valid JSON: %v)", cl, rec.Body.Len(), json.Valid(rec.Body.Bytes()))
			}
			want := *tt.wantMsg
			want.Platform = conversation.PlatformWeb
			var sent map[string]string
			_ = json.Unmarshal([]byte(tt.body), &sent)
			want.UserID, want.ConversationID = sent["session"], sent["session"]
			if got[0] != want {
				t.Errorf("engine got %+v, want %+v", got[0], want)
			}
		})
	}
}

func TestChatReplyJSON(t *testing.T) {
	t.Parallel()
	date := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	reply := conversation.Reply{
		Lang: conversation.LangEN,
		Text: []string{"Your text was cut."},
		Answer: &conversation.Answer{EntryID: "copilot-web", Question: "Puis-je ?", Text: "Oui.\n- a\n- b", Passage: "b",
			Source:  conversation.Source{Reference: "IA-RI-2025-001-OP", Date: date, Label: "Source : FAQ", URL: "https://exemple.gouv.qc.ca/faq"},
			Related: []conversation.Related{{EntryID: "scope", Question: "Portée ?", Action: conversation.Action{ID: "faq:scope"}}},
			Links:   []conversation.Link{{Title: "Loi", URL: "https://www.legisquebec.gouv.qc.ca/fr/document/lc/G-1.03"}}},
		Question: &conversation.Question{Fact: "individual", Prompt: "Individual use?", Why: "Because.", Step: 2, Remaining: 5,
			Choices: []conversation.Action{{ID: "c:yes", Label: "Yes"}, {ID: "c:no", Label: "No"}}},
		Verdict: &conversation.Verdict{Code: "exception", Title: "Allowed", Exceptions: []string{"MCN"}, Receipt: "Receipt — eligibility check",
			Citations: []conversation.Citation{{EntryID: "exceptions", Question: "Y a-t-il des exceptions ?"}}},
		Suggestions: []conversation.Suggestion{{EntryID: "scope", Question: "Qu'est-ce qui est touché ?", Action: conversation.Action{ID: "faq:scope", Label: "Touché ?"}}},
		Escalation:  &conversation.Escalation{Email: "a@b.c", Subject: "S", Body: "B", Mailto: "mailto:a@b.c?subject=S"},
		Actions:     []conversation.Action{{ID: "fb:up", Label: "👍"}, {Label: "Écrire", URL: "mailto:a@b.c?subject=S"}},
	}
	mux := newMux(conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return reply, nil
	}), nil)
	req := httptest.NewRequest("POST", "/api/chat", strings.NewReader(body(map[string]string{"session": session, "text": "x"})))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		"lang":                         "en",
		"text":                         reply.PlainText(),
		"answer.text":                  "Oui.\n- a\n- b",
		"answer.question":              "Puis-je ?",
		"answer.source.label":          "Source : FAQ",
		"answer.source.date":           "2025-03-18",
		"answer.source.url":            "https://exemple.gouv.qc.ca/faq",
		"answer.passage":               "b",
		"answer.related.0.entry_id":    "scope",
		"answer.related.0.action":      "faq:scope",
		"answer.links.0.url":           "https://www.legisquebec.gouv.qc.ca/fr/document/lc/G-1.03",
		"verdict.receipt":              "Receipt — eligibility check",
		"question.prompt":              "Individual use?",
		"question.why":                 "Because.",
		"question.step":                float64(2),
		"question.remaining":           float64(5),
		"question.choices.1.id":        "c:no",
		"question.choices.1.label":     "No",
		"verdict.code":                 "exception",
		"verdict.citations.0.entry_id": "exceptions",
		"suggestions.0.action.id":      "faq:scope",
		"escalation.mailto":            "mailto:a@b.c?subject=S",
		"actions.0.id":                 "fb:up",
		"actions.0.label":              "👍",
		"actions.1.url":                "mailto:a@b.c?subject=S",
		"paragraphs.0":                 "Your text was cut.",
	}
	for path, want := range checks {
		if v := lookup(got, path); v != want {
			t.Errorf("%s = %#v, want %#v", path, v, want)
		}
	}
}

// lookup walks decoded JSON along a dotted path of keys and indexes.
func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			for _, c := range k {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func TestEmptyReplyKeepsArrays(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(toJSON(conversation.Reply{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"actions":[]`, `"suggestions":[]`, `"lang":"fr"`, `"text":""`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("body %s lacks %s", b, want)
		}
	}
	// Through the endpoint, an empty reply is an engine defect: a 500.
	mux := newMux(conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{}, nil
	}), nil)
	req := httptest.NewRequest("POST", "/api/chat", strings.NewReader(body(map[string]string{"session": session, "action": "x"})))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Désolé") {
		t.Errorf("empty reply: %d %s, want 500 with the apology", rec.Code, rec.Body)
	}
}

func TestEngineErrorIs500WithoutDetailOrText(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	secret := "mon numéro 514-555-0199"
	mux := newMux(conversation.HandlerFunc(func(_ context.Context, m conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{}, errors.New("store: database is locked")
	}), logger)
	req := httptest.NewRequest("POST", "/api/chat", strings.NewReader(body(map[string]string{"session": session, "text": secret})))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != 500 {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "database") {
		t.Errorf("client sees the internal error: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "database is locked") {
		t.Errorf("operator log lacks the error: %s", logs.String())
	}
	for _, leak := range []string{secret, session} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("log holds %q: %s", leak, logs.String())
		}
	}
}

func TestPagesAndHeaders(t *testing.T) {
	t.Parallel()
	mux := newMux(&recorder{}, nil)
	tests := []struct {
		method, path string
		wantStatus   int
		wantType     string
		wantBody     string
	}{
		{"GET", "/", 200, "text/html", `role="log"`},
		{"HEAD", "/", 200, "text/html", ""},
		{"GET", "/static/app.js", 200, "javascript", "crypto.getRandomValues"},
		{"GET", "/static/style.css", 200, "text/css", "focus-visible"},
		{"GET", "/static/icon.svg", 200, "image/svg+xml", "<svg"},
		{"GET", "/static/nope.js", 404, "", ""},
		{"POST", "/", 405, "application/json", "error_en"},
		{"DELETE", "/static/app.js", 405, "application/json", "error_fr"},
		{"GET", "/healthz", 200, "application/json", `{"status":"ok"}`},
		{"HEAD", "/healthz", 200, "application/json", ""},
		{"POST", "/healthz", 405, "application/json", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			res := rec.Result()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if !strings.Contains(res.Header.Get("Content-Type"), tt.wantType) {
				t.Errorf("Content-Type = %q, want %q", res.Header.Get("Content-Type"), tt.wantType)
			}
			b, _ := io.ReadAll(res.Body)
			if tt.method != "HEAD" && !strings.Contains(string(b), tt.wantBody) {
				t.Errorf("body lacks %q", tt.wantBody)
			}
			for h, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
			} {
				if got := res.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			csp := res.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
		})
	}
}

// The page must not pull anything from elsewhere nor run inline code (the
// CSP would block it).
func TestPageIsSelfContained(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"static/index.html", "static/app.js", "static/style.css"} {
		b, err := staticFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		// The SVG namespace is a name, not something fetched.
		s := strings.ReplaceAll(string(b), `"http://www.w3.org/2000/svg"`, "")
		for _, bad := range []string{"http://", "https://", "//cdn", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "onclick=", "style="} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
		if name == "static/index.html" && strings.Contains(s, "<script>") {
			t.Errorf("%s has an inline script", name)
		}
	}
}

func TestValidSession(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		session:                  true,
		"abcdefghijklmnop":       true,
		"abcdefghijklmno":        false,
		strings.Repeat("A", 64):  true,
		strings.Repeat("A", 65):  false,
		"abcdefghijklmnop é":     false,
		"abcdefghijklmnop\x00":   false,
		"abc-def_ghi-jkl_MNO-09": true,
		"":                       false,
	}
	for id, want := range tests {
		if got := validSession(id); got != want {
			t.Errorf("validSession(%q) = %v, want %v", id, got, want)
		}
	}
}

// BenchmarkChatAdapter is the adapter's own cost per request (decode,
// validate, encode a full answer), with an engine that answers at once.
func BenchmarkChatAdapter(b *testing.B) {
	reply := conversation.Reply{
		Lang: conversation.LangFR,
		Answer: &conversation.Answer{EntryID: "e1", Question: "PUIS-JE ENCORE UTILISER LA VERSION WEB DE COPILOT OU CHATGPT?",
			Text:   strings.Repeat("La suspension ne concerne pas l'utilisation individuelle des versions grand public. ", 10),
			Source: conversation.Source{Label: "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"}},
		Actions: []conversation.Action{{ID: "fb:e1:up", Label: "👍 Utile"}, {ID: "fb:e1:down", Label: "👎 Pas utile"}},
	}
	mux := http.NewServeMux()
	New(conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) { return reply, nil }), nil,
		WithLimits(Limits{})).Register(mux) // the adapter alone: ratelimit has its own benchmark
	payload := body(map[string]string{"session": session, "text": "Puis-je encore utiliser ChatGPT ?"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/api/chat", strings.NewReader(payload))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}

// The page carries the server's own limits; its template is not served raw.
func TestPageCarriesServerLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want []string
	}{
		{"defaults", nil, []string{`maxlength="2000"`, `data-max-length="2000"`, `data-timeout-ms="15000"`}},
		{"timeout", []Option{WithPageTimeout(1500 * time.Millisecond)}, []string{`data-timeout-ms="1500"`}},
		// The footer promises what the server keeps, in both languages.
		{"privacy default", nil, []string{conversation.PrivacyNotice("fr", conversation.DefaultKept), conversation.PrivacyNotice("en", conversation.DefaultKept)}},
		{"privacy off", []Option{WithKept(conversation.Kept{Retention: 7 * 24 * time.Hour})}, []string{
			conversation.PrivacyNotice("fr", conversation.Kept{Retention: 7 * 24 * time.Hour}), "pendant 7 jours", "for 7 days", "ni conservé ni écrit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux := http.NewServeMux()
			New(&recorder{}, nil, tt.opts...).Register(mux)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if rec.Code != 200 {
				t.Fatalf("GET / = %d", rec.Code)
			}
			page := html.UnescapeString(rec.Body.String())
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			if strings.Contains(rec.Body.String(), "{{") {
				t.Errorf("page holds template markup")
			}
			for _, path := range []string{"/static/index.html", "/static/", "/static/./index.html"} {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				if rec.Code != 404 && rec.Code/100 != 3 { // a redirect leads to a 404
					t.Errorf("GET %s = %d, want 404 (the template is not served)", path, rec.Code)
				}
			}
		})
	}
}

// A body that does not arrive within the server's read timeout is a 408,
// not "JSON invalide".
func TestSlowBodyIs408(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	New(&recorder{}, nil).Register(mux)
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ReadTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	head := "POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"session\": \""
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e conversation.ErrorJSON
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil || res.StatusCode != http.StatusRequestTimeout || e.ErrorFR == "" || e.ErrorEN == "" {
		t.Errorf("slow body: %d %+v (%v); want 408 and bilingual JSON", res.StatusCode, e, err)
	}
}
