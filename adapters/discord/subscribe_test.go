package discord

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/qc-ia/conformbot/conversation"
)

// /abonner and /desabonner reach the engine as the command word in the
// user's language, from the channel they were used in.
func TestSubscribeCommands(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, locale, want string }{
		{CommandSubscribe, "fr", "abonner"},
		{CommandSubscribe, "en-US", "subscribe"},
		{CommandUnsubscribe, "fr", "desabonner"},
		{CommandUnsubscribe, "en-GB", "unsubscribe"},
	} {
		raw, _ := json.Marshal(map[string]any{
			"id": "1", "application_id": testAppID, "type": 2, "token": "tok", "version": 1,
			"channel_id": testChan, "guild_id": testGuild, "locale": c.locale,
			"member": map[string]any{"user": map[string]any{"id": testUser}},
			"data":   map[string]any{"id": "cmd", "name": c.name, "type": 1},
		})
		var i discordgo.Interaction
		if err := json.Unmarshal(raw, &i); err != nil {
			t.Fatal(err)
		}
		m, ok := interactionMessage(&i)
		if !ok || m.Text != c.want || m.Channel.ID != testChan {
			t.Errorf("/%s (%s) = %q, channel %q, ok %v; want %q in %s", c.name, c.locale, m.Text, m.Channel.ID, ok, c.want, testChan)
		}
	}
}

// Without a bot token the adapter cannot post unprompted: the engine gets
// no channel, so « abonner » is refused, and Announce says why.
func TestNoTokenNoChannel(t *testing.T) {
	t.Parallel()
	eng := &recorder{Reply: textReply("Réponse.")}
	r := newRig(t, eng, nil)
	r.a.s.Token = ""
	r.interact(t, slashAsk("1700", "abonner"))
	if got := eng.Messages(); len(got) != 1 || got[0].Channel.ID != "" {
		t.Errorf("engine got %+v; want one message without a channel", got)
	}
	err := r.a.Announce(context.Background(), conversation.Channel{ID: testChan}, conversation.Reply{Text: []string{"x"}})
	if err == nil || !strings.Contains(err.Error(), "DISCORD_BOT_TOKEN") {
		t.Errorf("Announce without a token: %v; want an error naming DISCORD_BOT_TOKEN", err)
	}
}
