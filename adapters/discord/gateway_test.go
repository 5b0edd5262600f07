package discord

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
)

// messageCreate is a MessageCreate event as the gateway delivers it.
func messageCreate(id, guild, content string, author *discordgo.User, mentions ...*discordgo.User) *discordgo.MessageCreate {
	return &discordgo.MessageCreate{Message: &discordgo.Message{
		ID: id, ChannelID: testChan, GuildID: guild, Content: content, Author: author,
		Mentions: mentions, Type: discordgo.MessageTypeDefault,
	}}
}

var (
	human = &discordgo.User{ID: testUser, Username: "agent"}
	bot   = &discordgo.User{ID: testBotID, Username: "conformbot", Bot: true}
	other = &discordgo.User{ID: "600000000000000006", Username: "autre-bot", Bot: true}
)

func TestGatewayMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		event    *discordgo.MessageCreate
		wantText string // "" = ignored
	}{
		{"direct message", messageCreate("1001", "", "Qu'est-ce que la directive?", human), "Qu'est-ce que la directive?"},
		{"mention in a server", messageCreate("1002", testGuild, "<@"+testBotID+"> c'est quoi un SIA?", human, bot), "c'est quoi un SIA?"},
		{"nickname mention", messageCreate("1003", testGuild, "Bonjour <@!"+testBotID+">  aide", human, bot), "Bonjour aide"},
		{"server message without mention", messageCreate("1004", testGuild, "bonjour tout le monde", human), ""},
		{"mention of someone else", messageCreate("1005", testGuild, "<@600000000000000006> salut", human, other), ""},
		{"another bot", messageCreate("1006", "", "bip", other), ""},
		{"itself", messageCreate("1007", testGuild, "<@"+testBotID+"> écho", bot, bot), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			eng := &recorder{Reply: textReply("Réponse.")}
			r := newRig(t, eng, nil)
			r.a.onMessageCreate(r.a.s, tc.event)
			got := eng.Messages()
			if tc.wantText == "" {
				if len(got) != 0 {
					t.Errorf("engine called with %+v, want the message ignored", got)
				}
				r.rest.none(t)
				return
			}
			want := conversation.Message{Platform: "discord", UserID: testUser, ConversationID: testChan, Text: tc.wantText,
				Channel: conversation.Channel{ID: testChan}}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("engine got %+v, want %+v", got, want)
			}
			c := r.rest.next(t)
			if c.Method != http.MethodPost || c.Path != "/channels/"+testChan+"/messages" {
				t.Fatalf("REST %s %s, want a channel message", c.Method, c.Path)
			}
			if c.Body["content"] != "Réponse." {
				t.Errorf("content %q", c.Body["content"])
			}
			ref, _ := c.Body["message_reference"].(map[string]any)
			if ref["message_id"] != tc.event.ID || ref["fail_if_not_exists"] != false {
				t.Errorf("message_reference %v, want a reply to %s", ref, tc.event.ID)
			}
			am, _ := c.Body["allowed_mentions"].(map[string]any)
			if p, ok := am["parse"].([]any); !ok || len(p) != 0 {
				t.Errorf("allowed_mentions %v, want no mention parsed", c.Body["allowed_mentions"])
			}
			r.rest.none(t)
		})
	}
}

func TestGatewayLongReplyAndButtons(t *testing.T) {
	t.Parallel()
	long := strings.TrimSpace(strings.Repeat("ligne de réponse assez longue\n", 150)) // about 4,500 characters
	eng := &recorder{Reply: func(conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{Text: []string{long}, Actions: []conversation.Action{{ID: "fb:up", Label: "Utile"}}}, nil
	}}
	r := newRig(t, eng, nil)
	r.a.onMessageCreate(r.a.s, messageCreate("1100", "", "longue", human))
	var parts []string
	for n := 0; strings.Join(parts, "\n") != long; n++ {
		if n == 5 {
			t.Fatalf("parts joined %q… never give the text back", strings.Join(parts, "\n")[:100])
		}
		c := r.rest.next(t)
		content := c.Body["content"].(string)
		if conversation.UTF16Len(content) > MaxMessageLen {
			t.Errorf("part %d: %d characters", n, conversation.UTF16Len(content))
		}
		_, isReply := c.Body["message_reference"]
		if isReply != (n == 0) {
			t.Errorf("part %d: reply reference %v, want only on the first", n, isReply)
		}
		parts = append(parts, content)
		last := strings.Join(parts, "\n") == long
		if got := bodyButtons(c.Body); last != (len(got) == 1) {
			t.Errorf("part %d (last %v): buttons %v", n, last, got)
		}
	}
	r.rest.none(t)
}

// dedupe is an in-memory Deduper.
type dedupe struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (d *dedupe) FirstSeen(_ context.Context, key string, _ time.Duration) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen[key] {
		return false, nil
	}
	d.seen[key] = true
	return true, nil
}

func TestGatewayReplayedMessageAnsweredOnce(t *testing.T) {
	t.Parallel()
	eng := &recorder{Reply: textReply("Réponse.")}
	r := newRig(t, eng, func(o *Options) { o.Deduper = &dedupe{seen: map[string]bool{}} })
	ev := messageCreate("1200", "", "question", human)
	r.a.onMessageCreate(r.a.s, ev)
	r.a.onMessageCreate(r.a.s, ev) // a resume replays it
	if n := len(eng.Messages()); n != 1 {
		t.Errorf("engine called %d times, want 1", n)
	}
	r.rest.next(t)
	r.rest.none(t)
}

func TestGatewayInteraction(t *testing.T) {
	t.Parallel()
	eng := &recorder{Reply: textReply("Réponse.")}
	r := newRig(t, eng, nil)
	i := &discordgo.Interaction{
		ID: "1300", AppID: testAppID, Type: discordgo.InteractionMessageComponent, Token: "tok-1300",
		ChannelID: testChan, Locale: discordgo.EnglishUS, User: human,
		Data: discordgo.MessageComponentInteractionData{CustomID: "fb:up", ComponentType: discordgo.ButtonComponent},
	}
	r.a.onInteractionCreate(r.a.s, &discordgo.InteractionCreate{Interaction: i})
	c := r.rest.next(t)
	if c.Method != http.MethodPost || c.Path != "/interactions/1300/tok-1300/callback" {
		t.Fatalf("REST %s %s, want the interaction callback", c.Method, c.Path)
	}
	if c.Body["type"] != float64(discordgo.InteractionResponseChannelMessageWithSource) {
		t.Errorf("type %v, want 4 (feedback answered in a new message)", c.Body["type"])
	}
	want := conversation.Message{Platform: "discord", UserID: testUser, ConversationID: testChan, Action: "fb:up", Locale: "en-US",
		Channel: conversation.Channel{ID: testChan}}
	if got := eng.Messages(); len(got) != 1 || got[0] != want {
		t.Errorf("engine got %+v, want %+v", got, want)
	}
}

func TestHandlersSurvivePanics(t *testing.T) {
	t.Parallel()
	eng := &recorder{Reply: func(conversation.Message) (conversation.Reply, error) { panic("engine bug") }}
	r := newRig(t, eng, nil)
	r.a.onMessageCreate(r.a.s, messageCreate("1400", "", "question", human))
	if c := r.rest.next(t); !strings.HasPrefix(fmt.Sprint(c.Body["content"]), "Désolé, une erreur est survenue") {
		t.Errorf("content %q, want the apology", c.Body["content"])
	}
	// A malformed event (no message) is ignored, not a crash.
	r.a.onMessageCreate(r.a.s, &discordgo.MessageCreate{})
	r.a.onInteractionCreate(r.a.s, &discordgo.InteractionCreate{})
	r.rest.none(t)
}

func TestRateLimitIsLogged(t *testing.T) {
	t.Parallel()
	eng := &recorder{Reply: textReply("Réponse.")}
	r := newRig(t, eng, nil)
	r.rest.status = func(_ restCall, n int) (int, string) {
		if n == 1 {
			return http.StatusTooManyRequests, `{"message":"You are being rate limited.","retry_after":0.001,"global":false}`
		}
		return http.StatusOK, ""
	}
	r.a.onMessageCreate(r.a.s, messageCreate("1500", "", "question", human))
	r.rest.next(t) // the retry went through
	if logs := r.logs.String(); !strings.Contains(logs, "rate limited by Discord") {
		t.Errorf("rate limit not logged:\n%s", logs)
	}
}

func TestRegisterCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		guild, wantPath string
	}{
		{"", "/applications/" + testAppID + "/commands"},
		{testGuild, "/applications/" + testAppID + "/guilds/" + testGuild + "/commands"},
	}
	for _, tc := range tests {
		r := newRig(t, &recorder{}, func(o *Options) { o.GuildID = tc.guild })
		if err := r.a.RegisterCommands(); err != nil {
			t.Fatal(err)
		}
		c := r.rest.next(t)
		if c.Method != http.MethodPut || c.Path != tc.wantPath {
			t.Errorf("REST %s %s, want PUT %s", c.Method, c.Path, tc.wantPath)
		}
		for _, want := range []string{`"name":"ia"`, `"name":"admissibilite"`, `"en-US":"eligibility"`} {
			if !strings.Contains(string(c.Raw), want) {
				t.Errorf("commands %s lack %s", c.Raw, want)
			}
		}
	}
	a, _ := New(Options{Handler: &recorder{}})
	if err := a.RegisterCommands(); err == nil {
		t.Error("registered without app id and token")
	}
	if err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "DISCORD_BOT_TOKEN") {
		t.Errorf("gateway without a token: err %v", err)
	}
}

func TestCommandsAreLocalized(t *testing.T) {
	t.Parallel()
	want := map[string]string{CommandAsk: "ai", CommandEligibility: "eligibility", CommandSubscribe: "subscribe", CommandUnsubscribe: "unsubscribe"}
	for _, c := range Commands() {
		en, ok := want[c.Name]
		if !ok {
			t.Errorf("unexpected command %q", c.Name)
			continue
		}
		for _, loc := range []discordgo.Locale{discordgo.EnglishUS, discordgo.EnglishGB} {
			if (*c.NameLocalizations)[loc] != en || (*c.DescriptionLocalizations)[loc] == "" {
				t.Errorf("/%s: %s localization %q, want %q with a description", c.Name, loc, (*c.NameLocalizations)[loc], en)
			}
		}
		if n := len([]rune(c.Description)); n == 0 || n > 100 {
			t.Errorf("/%s: description of %d characters (1 to 100)", c.Name, n)
		}
		delete(want, c.Name)
	}
	if len(want) != 0 {
		t.Errorf("missing commands %v", want)
	}
}

func TestReplayedInteractionHandledOnce(t *testing.T) {
	t.Parallel()
	eng := &recorder{Reply: textReply("Réponse.")}
	r := newRig(t, eng, func(o *Options) { o.Deduper = &dedupe{seen: map[string]bool{}} })
	first := r.interact(t, click("1600", "fb:up"))
	again := r.interact(t, click("1600", "fb:up"))
	if first.Type != discordgo.InteractionResponseChannelMessageWithSource || again.Type != discordgo.InteractionResponseDeferredMessageUpdate {
		t.Errorf("types %d then %d, want 4 then 6 (acknowledged, nothing redone)", first.Type, again.Type)
	}
	if n := len(eng.Messages()); n != 1 {
		t.Errorf("engine called %d times, want 1", n)
	}
}
