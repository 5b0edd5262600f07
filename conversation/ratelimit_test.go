package conversation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/ratelimit"
	"github.com/qc-ia/conformbot/internal/testengine"
)

// One person past the limit gets a reply saying when to try again, in
// their language, and the engine is not called; other people, and the same
// id on another platform, are served.
func TestLimitPerUser(t *testing.T) {
	t.Parallel()
	rec := &testengine.Recorder{}
	h := conversation.LimitPerUser(rec, ratelimit.NewKeyed(ratelimit.Limit{Events: 1, Per: time.Hour, Burst: 2}))
	msg := func(platform, user, text string) conversation.Message {
		return conversation.Message{Platform: platform, UserID: user, ConversationID: "C1", Text: text}
	}
	for i, c := range []struct {
		m       conversation.Message
		limited string // "" served; else the reply's start
	}{
		{m: msg("slack", "U1", "bonjour")},
		{m: msg("slack", "U1", "aide")},
		{m: msg("slack", "U1", "Puis-je utiliser Copilot ?"), limited: "Trop de messages en peu de temps. Réessayez dans 3600 s."},
		{m: msg("slack", "U1", "Can I use Copilot?"), limited: "Too many messages in a short time. Try again in 3600 s."},
		{m: conversation.Message{Platform: "slack", UserID: "U1", Action: "help", Locale: "en-US"}, limited: "Too many messages"},
		{m: msg("slack", "U2", "bonjour")},
		{m: msg("teams", "U1", "bonjour")},
		{m: msg("discord", "", "bonjour")}, // no user id: not limited
		{m: msg("discord", "", "bonjour")},
		{m: msg("discord", "", "bonjour")},
	} {
		r, err := h.Handle(context.Background(), c.m)
		if err != nil || r.IsEmpty() {
			t.Fatalf("message %d: %+v, %v", i+1, r, err)
		}
		got := strings.Join(r.Text, " ")
		if c.limited == "" && got != "ok" {
			t.Errorf("message %d: %q; want the engine's reply", i+1, got)
		}
		if c.limited != "" && !strings.HasPrefix(got, c.limited) {
			t.Errorf("message %d: %q; want %q", i+1, got, c.limited)
		}
	}
	if n := len(rec.Messages()); n != 7 {
		t.Errorf("engine called %d times, want 7 (never for a limited message)", n)
	}
	if conversation.LimitPerUser(rec, nil) != conversation.Handler(rec) {
		t.Error("an off limit still wraps the engine")
	}
}
