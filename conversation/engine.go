package conversation

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/rules"
)

// MaxText is the longest text the engine reads; longer messages are answered
// on their start, with a notice.
const MaxText = 2000

// DefaultSessionTTL is how long an idle dialog is kept.
const DefaultSessionTTL = 30 * time.Minute

// Searcher finds the FAQ entries that answer a question. *index.Index
// satisfies it; tests may pass a fake.
type Searcher interface {
	Search(ctx context.Context, text string) (index.Result, error)
}

// Options configure an Engine. KB, Index and Store are required; without
// Rules the eligibility dialog says it is unavailable.
type Options struct {
	KB              *faq.KB
	Index           Searcher
	Rules           *rules.RuleSet
	Store           Store
	EscalationEmail string        // default DefaultEscalationEmail
	SessionTTL      time.Duration // default DefaultSessionTTL
	Logger          *slog.Logger  // default: discard
	LogText         bool          // log message text (operator opt-in)
}

// Engine is the platform-neutral bot: it implements Handler.
type Engine struct {
	kb     *faq.KB
	index  Searcher
	rules  *rules.RuleSet
	store  Store
	email  string
	ttl    time.Duration
	log    *slog.Logger
	logTxt bool
	logKey []byte
	locks  [64]sync.Mutex // per-session serialization, striped to bound memory
}

var _ Handler = (*Engine)(nil)

// New builds an Engine.
func New(o Options) *Engine {
	e := &Engine{kb: o.KB, index: o.Index, rules: o.Rules, store: o.Store, email: o.EscalationEmail,
		ttl: o.SessionTTL, log: o.Logger, logTxt: o.LogText}
	if e.email == "" {
		e.email = DefaultEscalationEmail
	}
	if e.ttl <= 0 {
		e.ttl = DefaultSessionTTL
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.log = e.log.With("component", "conversation")
	e.logKey = make([]byte, 32)
	_, _ = rand.Read(e.logKey)
	return e
}

// sessionKey identifies one user in one conversation thread. The store hashes it.
func sessionKey(m Message) string {
	return m.Platform + "\x00" + m.ConversationID + "\x00" + m.ThreadID + "\x00" + m.UserID
}

// logID is a short keyed hash of a session key, so that logs can relate the
// lines of one user without holding their id.
func (e *Engine) logID(key string) string {
	h := hmac.New(sha256.New, e.logKey)
	h.Write([]byte(key))
	return hex.EncodeToString(h.Sum(nil)[:6])
}

func (e *Engine) lock(key string) func() {
	h := fnv.New32a()
	h.Write([]byte(key))
	mu := &e.locks[h.Sum32()%uint32(len(e.locks))]
	mu.Lock()
	return mu.Unlock
}

// Handle answers one message. Two messages of one session are handled one
// after the other, so the session is never written from two stale copies.
// Store failures are logged and the user still gets a reply.
func (e *Engine) Handle(ctx context.Context, m Message) (Reply, error) {
	start := time.Now()
	key := sessionKey(m)
	unlock := e.lock(key)
	defer unlock()

	sess, _, err := e.store.GetSession(ctx, key)
	if err != nil {
		e.log.ErrorContext(ctx, "session read failed", "err", err)
		sess = Session{}
	}
	t := &turn{e: e, ctx: ctx, m: m, sess: sess}
	t.lang = t.replyLang()
	reply := t.route()
	reply.Lang = t.lang
	if t.lang != t.sess.Lang {
		t.sess.Lang = t.lang
		// A new session in the language it would get anyway (the platform
		// locale's, else French) needs no write: a plain question costs one
		// session read and no write.
		if sess.Lang != "" || t.lang != t.defaultLang() || sess.Dialog != nil {
			t.dirty = true
		}
	}
	if t.dirty {
		if err := e.store.PutSession(ctx, key, t.sess, e.ttl); err != nil {
			e.log.ErrorContext(ctx, "session write failed", "err", err)
		}
	}
	attrs := []any{"platform", m.Platform, "session", e.logID(key), "kind", t.kind,
		"lang", t.lang, "dur", time.Since(start)}
	if t.entry != "" {
		attrs = append(attrs, "entry", t.entry)
	}
	if m.Action != "" {
		attrs = append(attrs, "action", actionKind(m.Action))
	}
	if e.logTxt {
		attrs = append(attrs, "text", m.Text)
	}
	e.log.InfoContext(ctx, "message", attrs...)
	return reply, nil
}

// replyLang follows the message's language; on no clue, the session's, then
// the platform locale, then French.
func (t *turn) replyLang() string {
	if l := detectLang(t.m.Text); l != "" {
		return l
	}
	if c, ok := commandWords[normalize(t.m.Text)]; ok && c.lang != "" {
		return c.lang
	}
	if t.sess.Lang != "" {
		return t.sess.Lang
	}
	return t.defaultLang()
}

// defaultLang is the language without any clue from the text or the
// session: the platform locale's, else French.
func (t *turn) defaultLang() string {
	if l := localeLang(t.m.Locale); l != "" {
		return l
	}
	return LangFR
}

// truncate returns the first MaxText runes of s and whether it cut.
func truncate(s string) (string, bool) {
	if utf8.RuneCountInString(s) <= MaxText {
		return s, false
	}
	n := 0
	for i := range s {
		if n == MaxText {
			return s[:i], true
		}
		n++
	}
	return s, false
}
