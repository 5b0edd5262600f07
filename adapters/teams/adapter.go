// Package teams connects the bot to Microsoft Teams through the Bot Framework
// protocol, implemented directly (no maintained Go SDK exists): inbound
// activities are authenticated by the Bot Connector rules before anything in
// them is trusted, replies are Adaptive Cards posted to the Bot Connector
// REST API with a client-credentials token.
package teams

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// Path is where the Bot Connector posts activities (the bot's messaging endpoint).
const Path = "/api/messages"

const (
	maxBody     = 256 << 10 // activities are a few KB; Teams caps messages at ~28 KB
	authTimeout = 15 * time.Second
)

// Config configures an Adapter. AppID, Password and Handler are required.
type Config struct {
	AppID     string // Microsoft App ID of the bot registration (the token audience)
	Password  string // client secret
	TenantID  string // single-tenant bots; empty: the legacy botframework.com tenant
	OpenIDURL string // default DefaultOpenIDURL
	TokenURL  string // default DefaultTokenURL; {tenant} is replaced

	Handler conversation.Handler
	Deduper conversation.Deduper // optional: drops redelivered activities
	Logger  *slog.Logger
	// LogMessageText lets the operator log message text (off by default).
	LogMessageText bool

	HTTPClient *http.Client     // outbound calls; default: 20 s timeout
	Now        func() time.Time // default time.Now
	Sleep      Sleeper          // retry backoff; default a context-aware timer
}

// Adapter serves the messaging endpoint and replies through the connector.
type Adapter struct {
	rt       *conversation.Runtime // deadlines, recovery, background work, dedupe
	dedupe   bool                  // a Deduper was given
	log      *slog.Logger
	logText  bool
	verifier *verifier
	conn     *connector
	hashKey  []byte
	limit    int // card size limit, lowered in tests
	live     *liveCards
	now      func() time.Time
	// typingAfter is how long an answer may take before the person sees
	// the typing indicator.
	typingAfter time.Duration
}

// New checks cfg and builds an Adapter.
func New(cfg Config) (*Adapter, error) {
	if cfg.AppID == "" || cfg.Password == "" {
		return nil, errors.New("teams: TEAMS_APP_ID et TEAMS_APP_PASSWORD requis / required")
	}
	if cfg.Handler == nil {
		return nil, errors.New("teams: no conversation handler")
	}
	if cfg.OpenIDURL == "" {
		cfg.OpenIDURL = DefaultOpenIDURL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	// Keyed hash of ids for the logs: stable within a process, useless outside.
	mac := hmac.New(sha256.New, []byte(cfg.Password))
	mac.Write([]byte("teams-log-ids"))
	return &Adapter{
		rt: conversation.NewRuntime(cfg.Handler, conversation.RuntimeOptions{
			Component: "teams", Logger: cfg.Logger, Deduper: cfg.Deduper}),
		dedupe:  cfg.Deduper != nil,
		log:     cfg.Logger.With("component", "teams"),
		logText: cfg.LogMessageText,
		verifier: &verifier{appID: cfg.AppID, now: cfg.Now,
			keys: newKeyCache(cfg.OpenIDURL, cfg.HTTPClient, cfg.Now)},
		conn: &connector{client: cfg.HTTPClient, sleep: cfg.Sleep, now: cfg.Now,
			tokens: newTokenSource(cfg.TokenURL, cfg.TenantID, cfg.AppID, cfg.Password, cfg.HTTPClient, cfg.Now)},
		hashKey:     mac.Sum(nil),
		limit:       maxCardBytes,
		live:        newLiveCards(),
		now:         cfg.Now,
		typingAfter: typingAfter,
	}, nil
}

var _ conversation.Adapter = (*Adapter)(nil)

// Start mounts the messaging endpoint on mux.
func (a *Adapter) Start(ctx context.Context, mux *http.ServeMux) error {
	a.rt.Start(ctx)
	mux.Handle(Path, a.rt.Guard(a))
	a.log.Info("Teams endpoint ready", "path", Path)
	return nil
}

// Wait blocks until every reply in progress is sent or abandoned.
func (a *Adapter) Wait() { a.rt.Wait() }

// Shutdown lets replies in progress finish until ctx ends, then abandons
// the rest and returns once every background goroutine has stopped.
func (a *Adapter) Shutdown(ctx context.Context) error { return a.rt.Shutdown(ctx) }

// ServeHTTP is the messaging endpoint. The request is authenticated before
// anything in it is used, acknowledged at once, and answered in the
// background: the Bot Connector expects a fast acknowledgement.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, ok := conversation.ReadBody(w, r, maxBody)
	if !ok {
		return
	}
	// Parsed only to learn which serviceUrl and channelId the token must
	// vouch for; nothing else is read before the token is verified.
	var act Activity
	if err := json.Unmarshal(body, &act); err != nil {
		// Still authenticate first, so that an anonymous caller learns nothing.
		if verr := a.verify(r.Context(), auth, "", ""); verr != nil && isUnauthorized(verr) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		http.Error(w, "invalid activity", http.StatusBadRequest)
		return
	}
	if err := a.verify(r.Context(), auth, act.ChannelID, act.ServiceURL); err != nil {
		var ae *authError
		status := http.StatusUnauthorized
		if errors.As(err, &ae) {
			status = ae.Status
		}
		a.log.Warn("refused activity", "status", status, "reason", err.Error())
		http.Error(w, http.StatusText(status), status)
		return
	}
	if a.duplicate(r.Context(), &act) {
		w.WriteHeader(http.StatusOK)
		return
	}
	a.rt.Go("activity", func(ctx context.Context) { a.process(ctx, act) })
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) verify(ctx context.Context, auth, channelID, serviceURL string) error {
	ctx, cancel := context.WithTimeout(ctx, authTimeout)
	defer cancel()
	return a.verifier.verify(ctx, auth, channelID, serviceURL)
}

func isUnauthorized(err error) bool {
	var ae *authError
	return errors.As(err, &ae) && ae.Status == http.StatusUnauthorized
}

// duplicate reports whether this activity was already received (the
// connector redelivers when an acknowledgement is slow).
func (a *Adapter) duplicate(ctx context.Context, act *Activity) bool {
	if !a.dedupe || act.ID == "" {
		return false
	}
	first, _ := a.rt.FirstSeen(ctx, "teams:"+a.hash(act.Conversation.ID+"\x00"+act.ID))
	return !first
}

func (a *Adapter) hash(s string) string {
	m := hmac.New(sha256.New, a.hashKey)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// process handles one authenticated activity in the background.
func (a *Adapter) process(ctx context.Context, act Activity) {
	log := a.log.With("conversation", a.hash(act.Conversation.ID), "type", act.Type)
	msg, ok := a.message(&act)
	if !ok {
		log.Debug("activity ignored")
		return
	}
	if a.logText {
		log = log.With("text", msg.Text, "action", msg.Action)
	}
	if d := act.clickData(); d.Owner != "" && d.Owner != a.owner(&act) {
		// A colleague's card: the click answers the clicker alone, in
		// private, and the card stays as its owner left it.
		reply, _ := a.rt.Handle(ctx, msg)
		if err := a.private(ctx, &act, reply); err != nil {
			log.Error("reply not delivered", "err", err)
		}
		return
	}
	stop := a.typing(ctx, &act)
	reply, _ := a.rt.Handle(ctx, msg) // a failure is the apology, logged by the runtime
	stop()
	if a.group(&act) && startsDialog(msg, reply) {
		if err := a.continuePrivately(ctx, &act, msg); err == nil {
			return
		} else {
			log.Info("one-to-one chat not opened: the check goes on in the thread", "err", err)
		}
	}
	if err := a.reply(ctx, &act, reply); err != nil {
		log.Error("reply not delivered", "err", err)
		return
	}
	log.Debug("replied")
}

// owner is the keyed hash that marks act's sender's cards.
func (a *Adapter) owner(act *Activity) string { return a.hash("owner\x00" + act.userID()) }

// liveKey identifies one person in one conversation, for their live cards.
func (a *Adapter) liveKey(act *Activity) string {
	return a.hash("live\x00" + act.Conversation.ID + "\x00" + act.userID())
}

// group reports whether act comes from a channel or a group chat.
func (a *Adapter) group(act *Activity) bool {
	switch act.Conversation.ConversationType {
	case "channel", "groupChat":
		return true
	case "personal":
		return false
	}
	return act.Conversation.IsGroup
}

// startsDialog reports whether reply opens the eligibility check.
func startsDialog(m conversation.Message, r conversation.Reply) bool {
	return r.Question != nil && r.Question.Step == 1 && m.Action != conversation.ActEligBack
}

// message turns an activity into the engine's Message; false when the
// activity needs no answer.
func (a *Adapter) message(act *Activity) (conversation.Message, bool) {
	m := conversation.Message{
		Platform:       conversation.PlatformTeams,
		UserID:         act.userID(),
		ConversationID: act.Conversation.ID,
		Locale:         act.Locale,
	}
	switch act.Type {
	case "message":
		// A channel thread's conversation id ends in ";messageid=…": an
		// announcement starts a new post in the channel itself.
		ch, _, _ := strings.Cut(act.Conversation.ID, ";messageid=")
		m.Channel = conversation.Channel{ID: ch, Address: act.ServiceURL}
		if id := act.submitAction(); id != "" {
			m.Action = id
			return m, true
		}
		m.Text = cleanText(act.Text, act.botMentions())
		m.Names = act.otherMentions()
		return m, true
	case "conversationUpdate":
		if !act.botAdded() {
			return m, false
		}
		// The welcome is the engine's help, in the language of the locale:
		// adapters never write answers.
		m.Action = conversation.ActHelp
		return m, true
	default:
		return m, false
	}
}

// reply posts the rendered cards in the activity's thread, in order,
// after settling the person's earlier cards (see inplace.go).
func (a *Adapter) reply(ctx context.Context, act *Activity, r conversation.Reply) error {
	endpoint, err := activityURL(act.ServiceURL, act.Conversation.ID, act.ID)
	if err != nil {
		return err
	}
	replyTo := act.ID
	if act.Type != "message" {
		// Nothing to reply to (a member joined): post to the conversation.
		if endpoint, err = activityURL(act.ServiceURL, act.Conversation.ID, ""); err != nil {
			return err
		}
		replyTo = ""
	}
	key := a.liveKey(act)
	if a.settle(ctx, act, key, r) {
		return nil
	}
	return a.post(ctx, act, endpoint, act.Conversation.ID, replyTo, key, r)
}

// post sends r's cards to conversation conv and remembers those with live buttons.
func (a *Adapter) post(ctx context.Context, act *Activity, endpoint, conv, replyTo, key string, r conversation.Reply) error {
	for _, c := range renderCardsFor(r, a.limit, a.owner(act)) {
		out := &outActivity{
			Type:         "message",
			From:         &act.Recipient,
			Conversation: Conversation{ID: conv},
			ReplyToID:    replyTo,
			Locale:       act.Locale,
			Summary:      summaryOf(c),
			Attachments:  []attachment{{ContentType: cardContentType, Content: c}},
		}
		id, err := a.conn.do(ctx, http.MethodPost, endpoint, out)
		if err != nil {
			return err
		}
		if id != "" && hasSubmit(c) {
			a.live.add(key, id, c, a.now())
		}
	}
	return nil
}

var _ conversation.Announcer = (*Adapter)(nil)

// Announce implements conversation.Announcer: r is posted as a new
// conversation in ch (a proactive message, through the serviceUrl the
// subscription came from, which the connector's token vouched for).
func (a *Adapter) Announce(ctx context.Context, ch conversation.Channel, r conversation.Reply) error {
	endpoint, err := activityURL(ch.Address, ch.ID, "")
	if err != nil {
		return err
	}
	for _, c := range renderCards(r, a.limit) {
		out := &outActivity{
			Type:         "message",
			Summary:      summaryOf(c),
			Conversation: Conversation{ID: ch.ID},
			Attachments:  []attachment{{ContentType: cardContentType, Content: c}},
		}
		if err := a.conn.send(ctx, endpoint, out); err != nil {
			return err
		}
	}
	return nil
}
