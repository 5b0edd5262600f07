package slack

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// shareCache keeps the answers shown privately for as long as their
// response_url lives (30 minutes), so the "share in the channel" button can
// post exactly what the user saw. In memory: the share button of a reply
// given by another replica or before a restart gets the stale-button message.
type shareCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	items map[string]shareItem
	now   func() time.Time
}

type shareItem struct {
	reply   conversation.Reply
	expires time.Time
}

func newShareCache(ttl time.Duration, max int) *shareCache {
	return &shareCache{ttl: ttl, max: max, items: map[string]shareItem{}, now: time.Now}
}

// put keeps the shareable parts of r (the official answer or the verdict,
// without buttons) and returns the token for the button's value.
func (c *shareCache) put(r conversation.Reply) string {
	shared := conversation.Reply{Lang: r.Lang, Answer: r.Answer, Verdict: r.Verdict}
	var b [16]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.items) >= c.max {
		// Full: drop the expired, then (a burst) arbitrary ones down to 90 %
		// so that eviction is not paid on every put.
		for k, it := range c.items {
			if now.After(it.expires) {
				delete(c.items, k)
			}
		}
		for k := range c.items {
			if len(c.items) < c.max*9/10 {
				break
			}
			delete(c.items, k)
		}
	}
	c.items[tok] = shareItem{reply: shared, expires: now.Add(c.ttl)}
	return tok
}

// get returns the reply behind tok, if it has not expired.
func (c *shareCache) get(tok string) (conversation.Reply, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[tok]
	if !ok || c.now().After(it.expires) {
		delete(c.items, tok)
		return conversation.Reply{}, false
	}
	return it.reply, true
}
