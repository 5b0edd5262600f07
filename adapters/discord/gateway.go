package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
)

// Run connects to the gateway and answers direct messages, mentions and
// (when no interactions endpoint URL is set) interactions until ctx ends.
// discordgo reconnects and resumes by itself; Run logs those events.
func (a *Adapter) Run(ctx context.Context) error {
	if a.s.Token == "" {
		return errors.New("discord : DISCORD_BOT_TOKEN manquant / missing DISCORD_BOT_TOKEN")
	}
	routeLibraryLogs(a.log)
	// discordgo reconnects an open session, but not a first connection
	// that failed (network down at start): retry it with a backoff.
	for wait := 5 * time.Second; ; wait = min(2*wait, 5*time.Minute) {
		err := a.s.Open()
		if err == nil {
			break
		}
		a.log.Error("gateway connection failed; retrying", "err", redact(err), "in", wait)
		select {
		case <-ctx.Done():
			return fmt.Errorf("discord : connexion à la passerelle / gateway connection: %w", redact(err))
		case <-time.After(wait):
		}
	}
	<-ctx.Done()
	return a.s.Close()
}

// onMessageCreate answers a direct message or a message that mentions the
// bot, as a reply to it. Messages of bots (and its own) are ignored.
func (a *Adapter) onMessageCreate(s *discordgo.Session, mc *discordgo.MessageCreate) {
	defer a.rt.Recover("gateway message")
	if mc == nil || mc.Message == nil || mc.Author == nil || mc.Author.Bot {
		return
	}
	self := a.selfID(s)
	if mc.Author.ID == self {
		return
	}
	if mc.Type != discordgo.MessageTypeDefault && mc.Type != discordgo.MessageTypeReply {
		return
	}
	if mc.GuildID != "" && !mentions(mc.Message, self) {
		return
	}
	if !a.firstSeen("message:" + mc.ID) {
		return
	}
	m := conversation.Message{
		Platform:       conversation.PlatformDiscord,
		UserID:         mc.Author.ID,
		ConversationID: mc.ChannelID,
		Text:           stripMention(mc.Content, self),
		Channel:        conversation.Channel{ID: mc.ChannelID},
	}
	a.log.Debug("message", "dm", mc.GuildID == "")
	msgs := a.messages(a.handle(m))
	for n, out := range msgs {
		send := &discordgo.MessageSend{
			Content:         out.Content,
			Components:      out.Components,
			Embeds:          out.Embeds,
			AllowedMentions: noMentions,
		}
		if n == 0 {
			fail := false
			send.Reference = &discordgo.MessageReference{
				MessageID: mc.ID, ChannelID: mc.ChannelID, GuildID: mc.GuildID,
				FailIfNotExists: &fail, // the question was deleted: answer anyway
			}
		}
		if _, err := s.ChannelMessageSendComplex(mc.ChannelID, send); err != nil {
			a.log.Error("sending a reply failed", "err", redact(err))
			return
		}
	}
}

// selfID is the bot's user id: from the gateway's Ready, else the
// application id (the same for a bot created with its application).
func (a *Adapter) selfID(s *discordgo.Session) string {
	if s != nil && s.State != nil && s.State.User != nil {
		return s.State.User.ID
	}
	return a.appID
}

func mentions(m *discordgo.Message, id string) bool {
	if id == "" {
		return false
	}
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return false
}

// stripMention removes the bot's own mention (<@id> or <@!id>) so the
// engine sees only the question.
func stripMention(text, id string) string {
	if id != "" {
		text = strings.NewReplacer("<@"+id+">", " ", "<@!"+id+">", " ").Replace(text)
	}
	return strings.Join(strings.Fields(text), " ")
}

// libraryLogs sends discordgo's own messages (gateway errors, reconnects)
// to the first adapter's logger instead of the standard log package:
// discordgo.Logger is package-wide, and one process runs one adapter.
var libraryLogs sync.Once

func routeLibraryLogs(log *slog.Logger) {
	libraryLogs.Do(func() {
		discordgo.Logger = func(level, _ int, format string, args ...any) {
			l := slog.LevelInfo
			switch level {
			case discordgo.LogError:
				l = slog.LevelError
			case discordgo.LogWarning:
				l = slog.LevelWarn
			case discordgo.LogDebug:
				l = slog.LevelDebug
			}
			log.Log(context.Background(), l, "discordgo", "detail", redactURL(fmt.Sprintf(format, args...)))
		}
	})
}

// onRateLimit logs a REST rate limit that discordgo waits out by itself.
func (a *Adapter) onRateLimit(_ *discordgo.Session, rl *discordgo.RateLimit) {
	if rl == nil || rl.TooManyRequests == nil {
		return
	}
	a.log.Warn("rate limited by Discord; discordgo retries",
		"retry_after", rl.RetryAfter, "route", redactURL(rl.URL))
}

// longSegment matches URL path segments that are tokens (interaction and
// webhook tokens are long; snowflake ids are at most 20 digits).
var longSegment = regexp.MustCompile(`/[A-Za-z0-9_.\-]{32,}`)

// redactURL hides interaction tokens in a REST URL before it is logged.
func redactURL(u string) string { return longSegment.ReplaceAllString(u, "/…") }

// redact hides interaction tokens in an error's text (transport errors
// quote the URL).
func redact(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(redactURL(err.Error()))
}
