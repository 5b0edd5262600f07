package conversation_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store/memstore"
)

// countingStore counts session writes.
type countingStore struct {
	conversation.Store
	puts atomic.Int64
}

func (s *countingStore) PutSession(ctx context.Context, key string, sess conversation.Session, version int64, ttl time.Duration) (bool, error) {
	s.puts.Add(1)
	return s.Store.PutSession(ctx, key, sess, version, ttl)
}

// A plain question in the session's default language costs no session
// write; what must be remembered (another language, a dialog) is written.
func TestSessionWrites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		locale string
		texts  []string
		puts   int64
	}{
		{"French questions, no locale", "", []string{"Puis-je encore utiliser ChatGPT?", "Y a-t-il des exceptions?"}, 0},
		{"English questions, English locale", "en-US", []string{"Can I still use ChatGPT?"}, 0},
		{"English question, no locale", "", []string{"Can I still use ChatGPT?", "Are there exceptions?"}, 1},
		{"French question, English locale", "en-CA", []string{"Y a-t-il des exceptions?"}, 1},
		{"eligibility dialog", "", []string{"admissibilite"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := &countingStore{Store: memstore.New()}
			c, _ := newChatWith(t, st)
			c.m.Locale = tt.locale
			for _, text := range tt.texts {
				c.say(text)
			}
			if got := st.puts.Load(); got != tt.puts {
				t.Errorf("%d session writes; want %d", got, tt.puts)
			}
		})
	}
}
