package slack

import (
	"context"
	"sync"
	"time"
)

// memDeduper is the fallback Deduper when none is given: correct for a
// single process, forgotten on restart. `bot serve` passes the store's.
type memDeduper struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func newMemDeduper() *memDeduper { return &memDeduper{seen: map[string]time.Time{}} }

func (d *memDeduper) FirstSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if exp, ok := d.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	if len(d.seen) > 10000 {
		for k, exp := range d.seen {
			if now.After(exp) {
				delete(d.seen, k)
			}
		}
	}
	d.seen[key] = now.Add(ttl)
	return true, nil
}
