package conversation

import (
	"context"
	"crypto/rand"
	"hash/fnv"
	"log/slog"
	mrand "math/rand/v2"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/internal/keyed"
	"github.com/qc-ia/conformbot/rules"
)

// MaxText is the longest text the engine reads; longer messages are answered
// on their start, with a notice. It is the index's own bound.
const MaxText = index.MaxQuestionRunes

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
	EscalationEmail string          // default DefaultEscalationEmail
	SessionTTL      time.Duration   // default DefaultSessionTTL
	Logger          *slog.Logger    // default: discard
	LogText         bool            // log message text (operator opt-in)
	NoUnanswered    bool            // keep no unanswered question, even redacted
	OnTurn          func(TurnStats) // optional: told about every message (metrics)
	// Subscriptions keeps the channels that « abonner » subscribes; nil:
	// subscriptions are not offered.
	Subscriptions Subscriptions
	// PriorRules returns, by Digest, a rule set this process loaded before
	// Rules (nil when it has none): a dialog started on it finishes on it.
	PriorRules func(digest string) *rules.RuleSet
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
	noUnan bool
	logKey *keyed.Hash
	onTurn func(TurnStats)
	subs   Subscriptions
	locks  [64]sync.Mutex // per-session serialization, striped to bound memory

	opts     Options
	variants sync.Map // rules digest -> *Engine on those prior rules
	quotes   sync.Map // quoteKey -> *Answer (see answerOf)
}

var _ Handler = (*Engine)(nil)

// New builds an Engine.
func New(o Options) *Engine {
	e := &Engine{kb: o.KB, index: o.Index, rules: o.Rules, store: o.Store, email: o.EscalationEmail,
		ttl: o.SessionTTL, log: o.Logger, logTxt: o.LogText, noUnan: o.NoUnanswered, onTurn: o.OnTurn, subs: o.Subscriptions}
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
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	e.logKey = keyed.New(key)
	e.opts = o
	return e
}

// sessionKey identifies one user in one conversation thread. The store hashes it.
func sessionKey(m Message) string {
	return m.Platform + "\x00" + m.ConversationID + "\x00" + m.ThreadID + "\x00" + m.UserID
}

// logID is a short keyed hash of a session key, so that logs can relate the
// lines of one user without holding their id.
func (e *Engine) logID(key string) string {
	return e.logKey.Hex(key, 6)
}

func (e *Engine) lock(key string) func() {
	h := fnv.New32a()
	h.Write([]byte(key))
	mu := &e.locks[h.Sum32()%uint32(len(e.locks))]
	mu.Lock()
	return mu.Unlock
}

// maxAttempts bounds the read–decide–write retries of one message when
// other writes of its session (another replica, another tab) keep coming first.
const maxAttempts = 6

// Handle answers one message. Within a process two messages of one session
// are handled one after the other; across processes the session write is a
// compare-and-set on its version, and a turn that lost the race is decided
// again on the session as the other write left it: concurrent steps are
// applied one after the other, or a stale one is answered as such, never
// lost or doubled. Store failures are logged and the user still gets a reply.
func (e *Engine) Handle(ctx context.Context, m Message) (Reply, error) {
	start := time.Now()
	key := sessionKey(m)
	unlock := e.lock(key)
	defer unlock()

	var t *turn
	var reply Reply
	conflicts := 0
	for attempt := 1; ; attempt++ {
		sess, ver, err := e.store.GetSession(ctx, key)
		if err != nil {
			e.log.ErrorContext(ctx, "session read failed", "err", err)
			sess, ver = Session{}, 0
		}
		t = e.newTurn(ctx, m, sess)
		reply = t.decide(sess)
		if !t.dirty {
			break
		}
		ok, err := e.store.PutSession(ctx, key, t.sess, ver, e.ttl)
		if err != nil {
			e.log.ErrorContext(ctx, "session write failed", "err", err)
			break
		}
		if ok {
			break
		}
		conflicts++
		if attempt == maxAttempts || ctx.Err() != nil {
			// Still losing: say so and show the session as it now stands,
			// without applying this message.
			t.effects = nil
			reply = e.busy(ctx, key, m)
			t.kind = "conflict"
			break
		}
		backoff(ctx, attempt)
	}
	for _, f := range t.effects {
		if err := f(); err != nil && t.effectFailed != nil {
			reply = *t.effectFailed
			reply.Lang = t.lang
		}
	}
	if e.onTurn != nil {
		e.onTurn(TurnStats{Platform: m.Platform, Kind: t.kind, Verdict: verdictCode(reply), Conflicts: conflicts, Duration: time.Since(start)})
	}
	if e.log.Enabled(ctx, slog.LevelInfo) {
		// Attrs, not key-value pairs: nothing is boxed (a line a message).
		var buf [9]slog.Attr
		attrs := append(buf[:0], slog.String("platform", m.Platform), slog.String("session", e.logID(key)),
			slog.String("kind", t.kind), slog.String("lang", t.lang), slog.Duration("dur", time.Since(start)))
		if t.entry != "" {
			attrs = append(attrs, slog.String("entry", t.entry))
		}
		if m.Action != "" {
			attrs = append(attrs, slog.String("action", actionKind(m.Action)))
		}
		if conflicts > 0 {
			attrs = append(attrs, slog.Int("conflicts", conflicts))
		}
		if e.logTxt {
			attrs = append(attrs, slog.String("text", m.Text))
		}
		e.log.LogAttrs(ctx, slog.LevelInfo, "message", attrs...)
	}
	return reply, nil
}

// decide routes the message on sess and says whether the session changed.
func (t *turn) decide(sess Session) Reply {
	t.lang = t.replyLang()
	reply := t.route()
	if t.rulesChanged && t.sess.Dialog != nil {
		reply.Text = append([]string{rulesChangedText[t.lang]}, reply.Text...)
	}
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
	return reply
}

// busy is the reply to a message whose session kept being written by
// others: it was not applied, and the dialog is shown as it now stands.
func (e *Engine) busy(ctx context.Context, key string, m Message) Reply {
	sess, _, err := e.store.GetSession(ctx, key)
	if err != nil {
		sess = Session{}
	}
	t := e.newTurn(ctx, m, sess)
	t.lang = t.replyLang()
	r := t.keepDialog(Reply{Text: []string{t.ui().busy}})
	r.Lang = t.lang
	return r
}

// backoff waits a little, more on each attempt, with jitter so that two
// replicas retrying together do not collide again.
func backoff(ctx context.Context, attempt int) {
	d := time.Duration(1<<min(attempt, 6)) * 500 * time.Microsecond
	d = d/2 + time.Duration(mrand.Int64N(int64(d)))
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func verdictCode(r Reply) string {
	if r.Verdict != nil {
		return r.Verdict.Code
	}
	return ""
}

// TurnStats is what one handled message did, for the operators' metrics:
// no text and no id.
type TurnStats struct {
	Platform  string
	Kind      string // answer, ambiguous, fallback, question, verdict, greeting, stale, conflict…
	Verdict   string // verdict code when the reply ends the dialog
	Conflicts int    // session writes that lost to another writer
	Duration  time.Duration
}

// replyLang is the language the person chose, the latest choice first: a
// language command in this message, the surface's switch (Message.Lang),
// an earlier language command. Without a choice it follows the message's
// language; on no clue, the session's, then the platform locale, then French.
func (t *turn) replyLang() string {
	if l, ok := t.langCommand(); ok {
		return l
	}
	if l := validLang(t.m.Lang); l != "" {
		return l
	}
	if t.sess.LangChosen && validLang(t.sess.Lang) != "" {
		return t.sess.Lang
	}
	if l := detectLang(t.m.Text); l != "" {
		return l
	}
	if c, ok := commandWords[t.normalize(t.m.Text)]; ok && c.lang != "" {
		return c.lang
	}
	if t.sess.Lang != "" {
		return t.sess.Lang
	}
	return t.defaultLang()
}

// langCommand reports the language a language command (typed or clicked)
// chooses.
func (t *turn) langCommand() (string, bool) {
	c, ok := actionCommands[t.m.Action]
	if t.m.Action == "" {
		var w commandWord
		w, ok = commandWords[t.normalize(t.m.Text)]
		c = w.cmd
	}
	if !ok {
		return "", false
	}
	l, ok := langCommands[c]
	return l, ok
}

func validLang(l string) string {
	if l == LangFR || l == LangEN {
		return l
	}
	return ""
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
