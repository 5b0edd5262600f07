package discord

import (
	"encoding/json"
	"testing"

	"github.com/bwmarrin/discordgo"
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
