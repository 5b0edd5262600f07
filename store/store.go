// Package store names what `bot serve` needs from a backend beyond the
// conversation.Store: shared state that lets several replicas run on one
// database (PostgreSQL) as safely as one process on SQLite. The backends
// are store/memstore, store/sqlite and store/postgres.
package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// Store is a conversation.Store that can also coordinate replicas.
type Store interface {
	conversation.Store
	Shares
	Leases
	Announcements

	// PurgeDue runs PurgeExpired unless another replica is purging now or
	// purged less than every/2 ago; ran says whether this call purged.
	PurgeDue(ctx context.Context, retention, every time.Duration) (ran bool, err error)
	// Ping checks that the store answers (GET /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// Shares keeps small opaque values under random tokens for a while: the
// Slack share button's answers, so that any replica can post them.
type Shares interface {
	PutShare(ctx context.Context, token string, data []byte, ttl time.Duration) error
	// GetShare returns ok=false when token is unknown or expired.
	GetShare(ctx context.Context, token string) (data []byte, ok bool, err error)
}

// Leases elect one holder of a named role (the Discord gateway) among the
// replicas. A lease not renewed within its ttl is free for another holder.
type Leases interface {
	// TryLease takes or renews name for holder until now+ttl; held=false
	// when another holder's lease is still live.
	TryLease(ctx context.Context, name, holder string, ttl time.Duration) (held bool, err error)
	// ReleaseLease gives name up if holder holds it.
	ReleaseLease(ctx context.Context, name, holder string) error
}

// NewVersion is the version of a newly created session row: random and
// positive (0 means "no session"), so that a writer still holding the
// version of a row that expired, was purged and was created again cannot
// match the new one; later writes add one.
func NewVersion() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>2) + 1
}

// Announcements keeps the channels subscribed to content changes and the
// announcements queued for them, so that a change is announced once to
// each channel whichever replica loads it first, even across restarts.
type Announcements interface {
	conversation.Subscriptions
	// Subscriptions lists the subscribed channels, by platform and id.
	Subscriptions(ctx context.Context) ([]conversation.Channel, error)
	// Published returns the content version last published and its
	// summary; version "" when none was.
	Published(ctx context.Context) (version string, summary []byte, err error)
	// Publish records next (with its summary) as the published content if
	// the published version is still prev, and queues body for every
	// subscribed channel, all at once (a nil body queues nothing: the
	// first content is a baseline); ok=false when another replica
	// published something else first (nothing is written).
	Publish(ctx context.Context, prev, next string, summary, body []byte) (ok bool, err error)
	// ClaimDeliveries takes up to n queued deliveries that are due, for
	// channels of platforms, and hides them from other claimers for lease.
	ClaimDeliveries(ctx context.Context, platforms []string, n int, lease time.Duration) ([]Delivery, error)
	// Delivered removes a sent delivery and clears its channel's failures.
	Delivered(ctx context.Context, id int64) error
	// DeliveryFailed counts one failure of the delivery's channel: at
	// maxFailures in a row the channel is unsubscribed and its deliveries
	// dropped (dropped=true); otherwise the delivery is due again after retry.
	DeliveryFailed(ctx context.Context, id int64, retry time.Duration, maxFailures int) (dropped bool, err error)
}

// Delivery is one announcement queued for one channel.
type Delivery struct {
	ID       int64
	Channel  conversation.Channel
	Body     []byte
	Failures int // failures of the channel so far
}
