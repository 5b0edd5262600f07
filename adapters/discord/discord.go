// Package discord connects the conversation engine to Discord: the /ia and
// /admissibilite slash commands, buttons, direct messages and mentions,
// through the gateway (a bot token) or the signed HTTP interactions
// endpoint (a public key), or both. It only translates: the engine decides
// every answer. Only this package imports discordgo.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
)

// Defaults of Options.
const (
	// DefaultInlineBudget is how long an interaction waits for the engine
	// before it is deferred: Discord wants a response within 3 s, and the
	// response itself still has to travel.
	DefaultInlineBudget = 2 * time.Second
	// DefaultHandleTimeout bounds one engine call; follow-ups stay
	// possible for 15 minutes, but a user would not wait that long.
	DefaultHandleTimeout = time.Minute
	// dedupeTTL covers gateway resumes that replay recent events.
	dedupeTTL = 10 * time.Minute
)

// Options configures an Adapter.
type Options struct {
	Handler conversation.Handler // required
	Logger  *slog.Logger         // nil: discard
	// Deduper, if set, drops a message or interaction delivered twice (a
	// gateway resume may replay events).
	Deduper conversation.Deduper
	// Token is the bot token (with or without the "Bot " prefix). Needed
	// by the gateway and to register commands; an HTTP-only deployment
	// answers interactions without it.
	Token string
	// AppID and GuildID say where RegisterCommands puts the commands
	// (GuildID empty: global).
	AppID   string
	GuildID string
	// PublicKey is the application's Ed25519 public key in hex (Developer
	// Portal, General Information). Needed by InteractionsHandler.
	PublicKey string
	// Session replaces the discordgo session (tests point its HTTP client
	// at a fake REST server). Nil builds one from Token.
	Session *discordgo.Session

	InlineBudget  time.Duration    // 0: DefaultInlineBudget
	HandleTimeout time.Duration    // 0: DefaultHandleTimeout
	Now           func() time.Time // 0: time.Now (tests move the clock)
}

// Adapter is the Discord side of the bot. Its methods are safe for
// concurrent use.
type Adapter struct {
	h         conversation.Handler
	log       *slog.Logger
	dedupe    conversation.Deduper
	s         *discordgo.Session
	appID     string
	guildID   string
	publicKey ed25519.PublicKey
	budget    time.Duration
	timeout   time.Duration
	now       func() time.Time

	wg sync.WaitGroup // background follow-ups
}

// New checks the options and builds an Adapter. Errors are in French, then
// English, for the operator.
func New(o Options) (*Adapter, error) {
	if o.Handler == nil {
		return nil, errors.New("discord : Handler manquant / missing Handler")
	}
	a := &Adapter{
		h:       o.Handler,
		log:     o.Logger,
		dedupe:  o.Deduper,
		s:       o.Session,
		appID:   o.AppID,
		guildID: o.GuildID,
		budget:  o.InlineBudget,
		timeout: o.HandleTimeout,
		now:     o.Now,
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.log = a.log.With("component", "discord")
	if a.budget <= 0 {
		a.budget = DefaultInlineBudget
	}
	if a.timeout <= 0 {
		a.timeout = DefaultHandleTimeout
	}
	if a.now == nil {
		a.now = time.Now
	}
	if o.PublicKey != "" {
		k, err := hex.DecodeString(strings.TrimSpace(o.PublicKey))
		if err != nil || len(k) != ed25519.PublicKeySize {
			return nil, errors.New("discord : DISCORD_PUBLIC_KEY doit être une clé Ed25519 en hexadécimal (64 caractères) / must be a hex Ed25519 key (64 characters)")
		}
		a.publicKey = k
	}
	if a.s == nil {
		tok := strings.TrimSpace(o.Token)
		if tok != "" && !strings.HasPrefix(tok, "Bot ") {
			tok = "Bot " + tok
		}
		s, err := discordgo.New(tok)
		if err != nil {
			return nil, fmt.Errorf("discord : session : %w", err)
		}
		a.s = s
	}
	// Only DMs and mentions are read: both carry their content without the
	// privileged MessageContent intent, so the bot never asks for it (a
	// gateway asking for an intent the portal has not enabled is closed
	// with 4014).
	a.s.Identify.Intents = discordgo.IntentGuildMessages | discordgo.IntentDirectMessages
	a.s.AddHandler(a.onMessageCreate)
	a.s.AddHandler(a.onInteractionCreate)
	a.s.AddHandler(a.onRateLimit)
	a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) { a.log.Info("gateway connected") })
	a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.log.Warn("gateway disconnected; discordgo reconnects")
	})
	a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { a.log.Info("gateway session resumed") })
	a.s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		a.log.Info("gateway ready", "guilds", len(r.Guilds))
	})
	return a, nil
}

// Wait blocks until the follow-ups started by interactions have been sent.
func (a *Adapter) Wait() { a.wg.Wait() }

// goSafe runs f in the background; a panic is logged, never fatal.
func (a *Adapter) goSafe(what string, f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer a.recover(what)
		f()
	}()
}

// recover logs a panic of a handler instead of taking the process down.
func (a *Adapter) recover(what string) {
	if v := recover(); v != nil {
		// The panic value may quote user input: log its type and stack only.
		a.log.Error("panic recovered", "in", what, "panic_type", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
	}
}

// result is one engine call's outcome.
type result struct {
	reply conversation.Reply
	err   error
}

// handle calls the engine with its own deadline (an interaction's HTTP
// request ends long before a deferred answer is ready) and never panics.
func (a *Adapter) handle(m conversation.Message) (res result) {
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("panic in engine", "panic_type", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
			res = result{err: fmt.Errorf("panic (%T)", v)}
		}
	}()
	r, err := a.h.Handle(ctx, m)
	return result{r, err}
}

// messages renders an engine result; an engine error becomes a short
// apology in both languages (the detail goes to the log only).
func (a *Adapter) messages(res result) []outMessage {
	r := res.reply
	if res.err != nil {
		a.log.Error("engine failed", "err", res.err)
		r = conversation.ErrorReply(res.err, "")
	}
	msgs, dropped := render(r)
	if dropped > 0 {
		a.log.Warn("buttons not shown: more than 25 or an id over 100 bytes", "dropped", dropped)
	}
	return msgs
}

// firstSeen reports whether key is new; without a Deduper, or when it
// fails, everything is new (answering twice beats not answering).
func (a *Adapter) firstSeen(key string) bool {
	if a.dedupe == nil || key == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok, err := a.dedupe.FirstSeen(ctx, "discord:"+key, dedupeTTL)
	if err != nil {
		a.log.Warn("dedupe failed", "err", err)
		return true
	}
	return ok
}

// Notices the adapter gives when no Reply exists, in both languages: the
// words are the conversation vocabulary's.
var (
	msgEngineError = conversation.ErrorReply(nil, "").PlainText()
	msgUnsupported = conversation.Bilingual(func(l *conversation.Labels) string { return l.Unsupported })
)

// noMentions keeps engine text from pinging anyone (@everyone, roles).
var noMentions = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

// emptyComponents clears the buttons of a message being replaced (nil
// would leave the old ones in place).
func emptyComponents(c []discordgo.MessageComponent) []discordgo.MessageComponent {
	if c == nil {
		return []discordgo.MessageComponent{}
	}
	return c
}
