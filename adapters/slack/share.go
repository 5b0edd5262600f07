package slack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// ShareStore keeps the answers behind "share in the channel" buttons for as
// long as their response_url lives (30 minutes), so that the button posts
// exactly what the user saw, whichever replica gets the click. The bot's
// store implements it; tokens are random and the data is an official answer
// or a verdict, never the user's text.
type ShareStore interface {
	PutShare(ctx context.Context, token string, data []byte, ttl time.Duration) error
	GetShare(ctx context.Context, token string) (data []byte, ok bool, err error)
}

const shareTTL = 30 * time.Minute

// putShare keeps the shareable parts of r (the official answer or the
// verdict, without buttons) and returns the token for the button's value,
// or "" (no button) when the store fails.
func (a *Adapter) putShare(ctx context.Context, r conversation.Reply) string {
	data, err := json.Marshal(conversation.Reply{Lang: r.Lang, Answer: r.Answer, Verdict: r.Verdict})
	if err != nil {
		return ""
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	if err := a.opt.Shares.PutShare(ctx, tok, data, shareTTL); err != nil {
		a.log.Error("share answer not kept: no share button", "err", err)
		return ""
	}
	return tok
}

// getShare returns the reply behind tok, if it has not expired.
func (a *Adapter) getShare(ctx context.Context, tok string) (conversation.Reply, bool) {
	data, ok, err := a.opt.Shares.GetShare(ctx, tok)
	if err != nil {
		a.log.Error("share lookup failed", "err", err)
	}
	var r conversation.Reply
	if !ok || err != nil || json.Unmarshal(data, &r) != nil {
		return conversation.Reply{}, false
	}
	return r, true
}

// memShares is the ShareStore when none is given: right for one process.
type memShares struct {
	mu    sync.Mutex
	max   int
	items map[string]shareItem
	now   func() time.Time
}

type shareItem struct {
	data    []byte
	expires time.Time
}

func newMemShares(max int) *memShares {
	return &memShares{max: max, items: map[string]shareItem{}, now: time.Now}
}

func (c *memShares) PutShare(_ context.Context, tok string, data []byte, ttl time.Duration) error {
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
	c.items[tok] = shareItem{data: data, expires: now.Add(ttl)}
	return nil
}

func (c *memShares) GetShare(_ context.Context, tok string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[tok]
	if !ok || c.now().After(it.expires) {
		delete(c.items, tok)
		return nil, false, nil
	}
	return it.data, true, nil
}
