// Package slack connects the conversation engine to Slack: slash command,
// app mentions, direct messages and Block Kit buttons, over HTTP (signed
// requests) or Socket Mode. It only verifies, parses, acknowledges and
// renders; the engine decides every answer. It is the only package that
// imports github.com/slack-go/slack.
package slack

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/qc-ia/conformbot/conversation"
)

// Options configures the adapter. BotToken and Handler are required;
// SigningSecret is required for the HTTP routes, AppToken for Socket Mode.
type Options struct {
	BotToken      string // xoxb-…: posts answers
	SigningSecret string // verifies HTTP requests
	AppToken      string // xapp-…: Socket Mode
	Command       string // slash command, default "/ia"
	APIURL        string // Web API base URL, default Slack's (GovSlack, tests)

	Handler conversation.Handler
	Deduper conversation.Deduper // nil: an in-memory one (single replica only)
	Shares  ShareStore           // share button answers; nil: in memory (single replica only)
	Logger  *slog.Logger
	// LogMessageText lets debug logs hold message text (operator opt-in).
	LogMessageText bool

	HTTPClient   *http.Client  // outbound calls; default 10 s timeout
	InlineBudget time.Duration // slash commands answered inline within this, default 2 s
	MaxRetries   int           // retries of a rate-limited (429) call, default 3
}

// Adapter serves one Slack app.
type Adapter struct {
	opt  Options
	api  *slack.Client
	log  *slog.Logger
	hkey []byte                // keyed hash of ids in logs (random per process)
	okey []byte                // keyed hash of button owners (stable across restarts)
	rt   *conversation.Runtime // deadlines, recovery, background work, dedupe
}

// Defaults.
const (
	DefaultCommand      = "/ia"
	DefaultInlineBudget = 2 * time.Second
	maxBody             = 1 << 20 // Slack payloads are far smaller
)

// New checks the options and builds the adapter.
func New(o Options) (*Adapter, error) {
	if o.BotToken == "" {
		return nil, errors.New("slack: SLACK_BOT_TOKEN manquant / missing bot token")
	}
	if o.Handler == nil {
		return nil, errors.New("slack: no conversation handler")
	}
	if o.Command == "" {
		o.Command = DefaultCommand
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.InlineBudget <= 0 {
		o.InlineBudget = DefaultInlineBudget
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 3
	}
	if o.Shares == nil {
		o.Shares = newMemShares(2000)
	}
	opts := []slack.Option{slack.OptionHTTPClient(o.HTTPClient)}
	if o.APIURL != "" {
		u := o.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	if o.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(o.AppToken))
	}
	a := &Adapter{
		opt: o,
		api: slack.New(o.BotToken, opts...),
		log: o.Logger.With("component", "slack"),
		rt: conversation.NewRuntime(o.Handler, conversation.RuntimeOptions{
			Component: "slack", Logger: o.Logger, Deduper: o.Deduper}),
	}
	a.hkey = make([]byte, 32)
	_, _ = rand.Read(a.hkey)
	okey := sha256.Sum256([]byte("conformbot/slack/owner:" + o.BotToken))
	a.okey = okey[:]
	return a, nil
}

var _ conversation.Adapter = (*Adapter)(nil)

// Start mounts the HTTP endpoints when a signing secret is set, and
// connects Socket Mode when an app-level token is set.
func (a *Adapter) Start(ctx context.Context, mux *http.ServeMux) error {
	a.rt.Start(ctx)
	if a.opt.SigningSecret != "" {
		a.Register(mux)
		a.log.Info("Slack HTTP endpoints ready", "paths", "/slack/commands /slack/events /slack/interactions", "command", a.opt.Command)
	}
	if a.opt.AppToken != "" {
		a.log.Info("Slack Socket Mode enabled", "command", a.opt.Command)
		a.rt.Loop("socket mode", a.RunSocketMode)
	}
	return nil
}

// Shutdown lets answers in flight be posted until ctx ends, then cancels
// them and closes Socket Mode.
func (a *Adapter) Shutdown(ctx context.Context) error { return a.rt.Shutdown(ctx) }

// Wait waits for the work started so far (answers being posted).
func (a *Adapter) Wait() { a.rt.Wait() }

// Register mounts the three HTTP endpoints on mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.Handle("POST /slack/commands", a.rt.Guard(a.verified(a.serveCommand)))
	mux.Handle("POST /slack/events", a.rt.Guard(a.verified(a.serveEvent)))
	mux.Handle("POST /slack/interactions", a.rt.Guard(a.verified(a.serveInteraction)))
}

// hash is a keyed hash of a Slack id, so logs can correlate without holding ids.
func (a *Adapter) hash(id string) string {
	if id == "" {
		return ""
	}
	m := hmac.New(sha256.New, a.hkey)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// owner tags the buttons of a reply with a stable keyed hash of its user,
// so that a click by someone else on a message in a channel is recognised
// as foreign rather than fed to the clicker's own session.
func (a *Adapter) owner(userID string) string {
	m := hmac.New(sha256.New, a.okey)
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// textAttr logs message text only when the operator opted in.
func (a *Adapter) textAttr(text string) slog.Attr {
	if a.opt.LogMessageText {
		return slog.String("text", text)
	}
	return slog.Int("text_len", len(text))
}

// goSafe runs f in the background under the runtime (deadline, panic
// recovery, drained by Shutdown).
func (a *Adapter) goSafe(what string, f func(ctx context.Context)) { a.rt.Go(what, f) }

// ask calls the engine through the runtime and renders its reply (the
// runtime turns a failure into the apology). share adds the button that
// shares an answer or verdict in the channel.
func (a *Adapter) ask(ctx context.Context, m conversation.Message, share bool, owner string) []message {
	start := time.Now()
	r, err := a.rt.Handle(ctx, m)
	a.log.Debug("answered", "user", a.hash(m.UserID), "took", time.Since(start), "failed", err != nil, a.textAttr(m.Text))
	o := renderOptions{owner: owner}
	if err == nil && share && (r.Answer != nil || r.Verdict != nil) {
		o.shareToken = a.putShare(ctx, r)
	}
	return render(r, o)
}

// identity builds the engine's session identity from Slack ids.
func identity(team, user, channel, thread string) conversation.Message {
	return conversation.Message{
		Platform:       conversation.PlatformSlack,
		UserID:         team + ":" + user,
		ConversationID: channel,
		ThreadID:       thread,
		// A subscription posts to the channel itself, not to a thread.
		Channel: conversation.Channel{ID: channel},
	}
}
