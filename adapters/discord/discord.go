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
	"net/http"
	"net/url"
	"strings"
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
	// APIURL sends the REST calls (announcements, follow-ups, commands) to
	// another host than discord.com, such as an egress proxy: its scheme
	// and host replace Discord's, the path stays. "" calls Discord.
	APIURL string

	// Lease, if set, runs the gateway only while it returns run's turn:
	// Discord allows one gateway connection per bot token, so replicas
	// take turns (bot serve passes the store's lease).
	Lease func(ctx context.Context, run func(context.Context) error) error

	InlineBudget time.Duration    // 0: DefaultInlineBudget
	Now          func() time.Time // 0: time.Now (tests move the clock)
}

// Adapter is the Discord side of the bot. Its methods are safe for
// concurrent use.
type Adapter struct {
	rt        *conversation.Runtime // deadlines, recovery, background work, dedupe
	dedupe    bool                  // a Deduper was given
	log       *slog.Logger
	s         *discordgo.Session
	appID     string
	guildID   string
	publicKey ed25519.PublicKey
	budget    time.Duration
	now       func() time.Time
	lease     func(ctx context.Context, run func(context.Context) error) error
}

// New checks the options and builds an Adapter. Errors are in French, then
// English, for the operator.
func New(o Options) (*Adapter, error) {
	if o.Handler == nil {
		return nil, errors.New("discord : Handler manquant / missing Handler")
	}
	a := &Adapter{
		rt: conversation.NewRuntime(o.Handler, conversation.RuntimeOptions{
			Component: "discord", Logger: o.Logger, Deduper: o.Deduper}),
		dedupe:  o.Deduper != nil,
		log:     o.Logger,
		s:       o.Session,
		appID:   o.AppID,
		guildID: o.GuildID,
		budget:  o.InlineBudget,
		lease:   o.Lease,
		now:     o.Now,
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.log = a.log.With("component", "discord")
	if a.budget <= 0 {
		a.budget = DefaultInlineBudget
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
	if o.APIURL != "" {
		u, err := url.Parse(o.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errors.New("discord : DISCORD_API_URL doit être une adresse http(s):// / must be an http(s):// address")
		}
		c := *a.s.Client
		c.Transport = rehost{base: u, next: c.Transport}
		a.s.Client = &c
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

var _ conversation.Adapter = (*Adapter)(nil)

// Start mounts the interactions endpoint when a public key is set, and
// connects the gateway when a bot token is set, registering the slash
// commands first when the application id is known.
func (a *Adapter) Start(ctx context.Context, mux *http.ServeMux) error {
	a.rt.Start(ctx)
	if a.publicKey != nil {
		h, err := a.InteractionsHandler()
		if err != nil {
			return err
		}
		mux.Handle(InteractionsPath, h)
		a.log.Info("interactions endpoint ready", "path", InteractionsPath)
	}
	if a.s.Token == "" {
		if a.appID != "" {
			a.log.Warn("DISCORD_APP_ID sans DISCORD_BOT_TOKEN : commandes non enregistrées / slash commands not registered without a bot token")
		}
		return nil
	}
	gateway := func(ctx context.Context) error {
		if a.appID == "" {
			a.log.Warn("DISCORD_APP_ID manquant : commandes non enregistrées / slash commands not registered without DISCORD_APP_ID")
		} else if err := a.RegisterCommands(); err != nil {
			// The previous commands stay in place: worth a log line, not a stop.
			a.log.Error("slash command registration failed", "err", err)
		}
		return a.Run(ctx)
	}
	if a.lease != nil {
		inner := gateway
		gateway = func(ctx context.Context) error { return a.lease(ctx, inner) }
	}
	a.rt.Loop("gateway", gateway)
	return nil
}

// Shutdown closes the gateway, lets follow-ups in flight be sent until ctx
// ends, then cancels them.
func (a *Adapter) Shutdown(ctx context.Context) error { return a.rt.Shutdown(ctx) }

// Wait blocks until the follow-ups started by interactions have been sent.
func (a *Adapter) Wait() { a.rt.Wait() }

// goSafe runs f in the background under the runtime: panics are logged,
// Shutdown drains it.
func (a *Adapter) goSafe(what string, f func()) { a.rt.Go(what, func(context.Context) { f() }) }

// handle calls the engine through the runtime: the server's context and
// the one deadline (an interaction's HTTP request ends long before a
// deferred answer is ready), a failure turned into the apology.
func (a *Adapter) handle(m conversation.Message) conversation.Reply {
	r, _ := a.rt.Handle(a.rt.Context(), m)
	return r
}

// messages renders a reply.
func (a *Adapter) messages(r conversation.Reply) []outMessage {
	msgs, dropped := render(r)
	if dropped > 0 {
		a.log.Warn("buttons not shown: more than 25 or an id over 100 bytes", "dropped", dropped)
	}
	return msgs
}

// firstSeen reports whether key is new; without a Deduper, everything is.
func (a *Adapter) firstSeen(key string) bool {
	if !a.dedupe || key == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(a.rt.Context(), 2*time.Second)
	defer cancel()
	ok, _ := a.rt.FirstSeen(ctx, "discord:"+key)
	return ok
}

// Notices the adapter gives when no Reply exists, in both languages: the
// words are the conversation vocabulary's.
var (
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

var _ conversation.Announcer = (*Adapter)(nil)

// Announce implements conversation.Announcer: r is posted in the channel
// with the bot token (the bot needs the Send Messages permission there).
func (a *Adapter) Announce(ctx context.Context, ch conversation.Channel, r conversation.Reply) error {
	if ch.ID == "" {
		return errors.New("discord: no channel")
	}
	if a.s.Token == "" {
		return errors.New("discord : DISCORD_BOT_TOKEN requis pour publier dans un canal / required to post in a channel")
	}
	for _, out := range a.messages(r) {
		send := &discordgo.MessageSend{Content: out.Content, Components: out.Components, Embeds: out.Embeds, AllowedMentions: noMentions}
		if _, err := a.s.ChannelMessageSendComplex(ch.ID, send, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("discord: %w", redact(err))
		}
	}
	return nil
}

// rehost sends Discord's REST calls to another host (see Options.APIURL).
type rehost struct {
	base *url.URL
	next http.RoundTripper
}

func (t rehost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, ""
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}
