// Package web is the browser adapter: a small accessible chat page served
// from embedded assets and a JSON endpoint that turns each request into a
// conversation.Message and the Reply into JSON. It decides nothing about
// what to answer.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/ratelimit"
)

// MaxBody is the largest request body /api/chat accepts.
const MaxBody = 64 << 10

//go:embed static
var staticFS embed.FS

// DefaultPageTimeout is how long the page waits for an answer before it
// tells the user and offers to resend: far above the engine's
// milliseconds, well under the server's write timeout.
const DefaultPageTimeout = 15 * time.Second

// Server serves the chat page, /api/chat and /healthz.
type Server struct {
	rt     *conversation.Runtime
	logger *slog.Logger
	assets http.Handler
	index  []byte

	proxies   ratelimit.Proxies
	byAddr    *ratelimit.Keyed // nil: no limit
	bySession *ratelimit.Keyed
}

// Option tunes a Server.
type Option func(*options)

type options struct {
	page   pageData
	limits Limits
}

// WithKept sets what the footer's privacy notice says is kept (default
// conversation.DefaultKept).
func WithKept(k conversation.Kept) Option {
	return func(o *options) {
		o.page.PrivacyFR = conversation.PrivacyNotice("fr", k)
		o.page.PrivacyEN = conversation.PrivacyNotice("en", k)
	}
}

// WithPageTimeout sets how long the page waits for /api/chat.
func WithPageTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.page.TimeoutMS = d.Milliseconds()
		}
	}
}

// Limits are the token buckets of /api/chat: one per client address,
// checked before the body is read, and one per session, so that neither a
// flood from one machine nor one runaway page starves the others. Many
// employees may share one address (an office's NAT or proxy), so the
// address limit is the looser of the two.
type Limits struct {
	Address ratelimit.Limit
	Session ratelimit.Limit
	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client; without them the connection's peer is the client.
	Proxies ratelimit.Proxies
}

// Default limits: a person clicking through a check goes in bursts of a
// few messages, far below one a second for long; the address bucket lets
// about a hundred people behind one NAT chat at once at a message every
// ten seconds each.
var (
	DefaultSessionLimit = ratelimit.Limit{Events: 60, Per: time.Minute, Burst: 20}
	DefaultAddressLimit = ratelimit.Limit{Events: 600, Per: time.Minute, Burst: 200}
)

// WithLimits sets the rate limits of /api/chat (default DefaultSessionLimit
// and DefaultAddressLimit, no trusted proxy; a zero Limit is off).
func WithLimits(l Limits) Option {
	return func(o *options) { o.limits = l }
}

// pageData is what the server writes into the page, so that the page
// applies the server's own limits (the length the engine reads).
type pageData struct {
	MaxLength int
	TimeoutMS int64
	PrivacyFR string
	PrivacyEN string
}

// New returns a Server that sends every message to h.
func New(h conversation.Handler, logger *slog.Logger, opts ...Option) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic("web: embedded assets missing: " + err.Error()) // a build defect, not input
	}
	tmpl, err := template.ParseFS(sub, "index.html")
	if err != nil {
		panic("web: embedded index.html: " + err.Error())
	}
	o := options{
		page: pageData{MaxLength: conversation.MaxText, TimeoutMS: DefaultPageTimeout.Milliseconds(),
			PrivacyFR: conversation.PrivacyNotice("fr", conversation.DefaultKept),
			PrivacyEN: conversation.PrivacyNotice("en", conversation.DefaultKept)},
		limits: Limits{Address: DefaultAddressLimit, Session: DefaultSessionLimit},
	}
	for _, opt := range opts {
		opt(&o)
	}
	var index bytes.Buffer
	if err := tmpl.Execute(&index, o.page); err != nil {
		panic("web: index.html template: " + err.Error())
	}
	return &Server{
		rt:        conversation.NewRuntime(h, conversation.RuntimeOptions{Component: "web", Logger: logger}),
		logger:    logger.With("component", "web"),
		assets:    http.StripPrefix("/static/", http.FileServerFS(sub)),
		index:     index.Bytes(),
		proxies:   o.limits.Proxies,
		byAddr:    ratelimit.NewKeyed(o.limits.Address),
		bySession: ratelimit.NewKeyed(o.limits.Session),
	}
}

var _ conversation.Adapter = (*Server)(nil)

// Start mounts the page and its endpoints on mux; the web chat has no
// background loop.
func (s *Server) Start(ctx context.Context, mux *http.ServeMux) error {
	s.rt.Start(ctx)
	s.Register(mux)
	return nil
}

// Shutdown waits for the engine calls in flight (the HTTP server's own
// shutdown stops new requests).
func (s *Server) Shutdown(ctx context.Context) error { return s.rt.Shutdown(ctx) }

// Register mounts the page, its assets, /api/chat and /healthz on mux.
// Methods are checked by the handlers (not by mux patterns) so that a wrong
// method gets a JSON 405 and the routes never conflict with other mounts.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("/{$}", secure(allow(s.page, http.MethodGet, http.MethodHead)))
	mux.Handle("/static/", secure(allow(s.static, http.MethodGet, http.MethodHead)))
	mux.Handle("/api/chat", secure(s.rt.Guard(allow(s.chat, http.MethodPost))))
	mux.Handle("/healthz", secure(allow(s.healthz, http.MethodGet, http.MethodHead)))
}

// secure sets the headers every response of this adapter carries: the page
// loads nothing but its own assets, is never framed and leaks no referrer.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func allow(next http.HandlerFunc, methods ...string) http.Handler {
	allowed := strings.Join(methods, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range methods {
			if r.Method == m {
				next(w, r)
				return
			}
		}
		w.Header().Set("Allow", allowed)
		writeError(w, http.StatusMethodNotAllowed,
			"Méthode non permise ; utilisez "+allowed+".",
			"Method not allowed; use "+allowed+".")
	})
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(s.index)
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "/static/" || strings.HasSuffix(p, "/index.html") {
		// The page's template (the page itself is served at /), and no listing.
		writeError(w, http.StatusNotFound, "Introuvable.", "Not found.")
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	s.assets.ServeHTTP(w, r)
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// chatRequest is the body of POST /api/chat: Text or Action, not both.
type chatRequest struct {
	Session string `json:"session"`
	Text    string `json:"text"`
	Action  string `json:"action"`
	Lang    string `json:"lang"`
}

// validSession reports whether id looks like what the page generates: an
// opaque random token. The shape check keeps arbitrary strings out of the
// store keys; any well-shaped unknown id simply starts a new session.
func validSession(id string) bool {
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// chosenLang reads the page's language switch (the API's "lang"): the
// person's choice, which wins over the language of the text.
func chosenLang(lang string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(lang)) {
	case "":
		return "", true
	case "fr", "fr-ca":
		return conversation.LangFR, true
	case "en", "en-ca":
		return conversation.LangEN, true
	}
	return "", false
}

// tooMany answers 429 with Retry-After, in whole seconds, in the header
// and in both languages.
func tooMany(w http.ResponseWriter, wait time.Duration) {
	secs := ratelimit.RetryAfter(wait)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests,
		"Trop de messages en peu de temps. Réessayez dans "+strconv.Itoa(secs)+" s.",
		"Too many messages in a short time. Try again in "+strconv.Itoa(secs)+" s.")
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	// The address is checked before anything else is read, so that a
	// flood costs the server as little as possible.
	ok, wait, giveBack := s.byAddr.Take(ratelimit.AddrKey(s.proxies.ClientAddr(r)))
	if !ok {
		s.logger.Debug("rate limited", "by", "address", "retry_after", wait.Round(time.Second))
		tooMany(w, wait)
		return
	}
	if ct := r.Header.Get("Content-Type"); !isJSON(ct) {
		// A cross-site HTML form cannot send application/json without a
		// CORS preflight, which this server never grants.
		writeError(w, http.StatusUnsupportedMediaType,
			"Le corps doit être du JSON (Content-Type: application/json).",
			"The body must be JSON (Content-Type: application/json).")
		return
	}
	var req chatRequest
	body := buffers.Get().(*bytes.Buffer)
	defer putBuffer(body)
	_, err := body.ReadFrom(http.MaxBytesReader(w, r.Body, MaxBody))
	if err == nil {
		// Anything after the object is a malformed body, not a second
		// request: Unmarshal refuses it.
		err = json.Unmarshal(body.Bytes(), &req)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge,
				"Message trop long : 64 Ko au maximum.",
				"Message too large: 64 KB at most.")
			return
		}
		if conversation.IsTimeout(err) {
			fr, en := conversation.StatusText(http.StatusRequestTimeout)
			writeError(w, http.StatusRequestTimeout, fr, en)
			return
		}
		writeError(w, http.StatusBadRequest,
			"JSON invalide : envoyez {\"session\": \"…\", \"text\": \"…\"} ou {\"session\": \"…\", \"action\": \"…\"}.",
			"Invalid JSON: send {\"session\": \"…\", \"text\": \"…\"} or {\"session\": \"…\", \"action\": \"…\"}.")
		return
	}
	if !validSession(req.Session) {
		writeError(w, http.StatusBadRequest,
			"Champ « session » manquant ou invalide : 16 à 64 caractères parmi A-Z, a-z, 0-9, - et _.",
			"Missing or invalid \"session\": 16 to 64 characters among A-Z, a-z, 0-9, - and _.")
		return
	}
	if ok, wait := s.bySession.Allow(req.Session); !ok {
		giveBack() // the session is the culprit, not everyone behind its address
		s.logger.Debug("rate limited", "by", "session", "retry_after", wait.Round(time.Second))
		tooMany(w, wait)
		return
	}
	hasText, hasAction := strings.TrimSpace(req.Text) != "", req.Action != ""
	if hasText == hasAction {
		writeError(w, http.StatusBadRequest,
			"Envoyez soit « text » (non vide), soit « action », mais pas les deux.",
			"Send either \"text\" (not empty) or \"action\", not both.")
		return
	}
	lang, ok := chosenLang(req.Lang)
	if !ok {
		writeError(w, http.StatusBadRequest,
			"Champ « lang » invalide : « fr » ou « en ».",
			"Invalid \"lang\": \"fr\" or \"en\".")
		return
	}
	msg := conversation.Message{
		Platform:       conversation.PlatformWeb,
		UserID:         req.Session,
		ConversationID: req.Session,
		Text:           req.Text,
		Action:         req.Action,
		Lang:           lang,
	}
	// The runtime bounds the call, recovers a panic and logs a failure,
	// which the page gets as a 500 with the vocabulary's apology.
	reply, err := s.rt.Handle(r.Context(), msg)
	if err != nil {
		writeError(w, http.StatusInternalServerError,
			conversation.ErrorText(err, conversation.LangFR), conversation.ErrorText(err, conversation.LangEN))
		return
	}
	writeJSON(w, http.StatusOK, toJSON(reply))
}

func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

func writeError(w http.ResponseWriter, status int, fr, en string) {
	conversation.WriteError(w, status, fr, en)
}

// writeJSON sends v whole, with its length: one write, no chunked framing.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b := buffers.Get().(*bytes.Buffer)
	defer putBuffer(b)
	if err := json.NewEncoder(b).Encode(v); err != nil {
		fr, en := conversation.StatusText(http.StatusInternalServerError)
		writeError(w, http.StatusInternalServerError, fr, en)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// buffers hold request and reply bodies between requests.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 2*MaxBody { // a rare huge reply is not kept
		b.Reset()
		buffers.Put(b)
	}
}
