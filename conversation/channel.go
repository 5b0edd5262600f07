package conversation

import "context"

// Channel is a conversation an adapter can post to without being asked:
// where « abonner » / "subscribe" sends the announcements of new official
// content. It holds platform ids, never a person's name or message.
type Channel struct {
	Platform string
	ID       string // the platform's channel or conversation id
	// Address is what else the adapter needs to post there: the Bot
	// Connector's serviceUrl on Teams, "" elsewhere.
	Address string
	Lang    string // language of the announcements: the subscriber's
}

// Subscriptions keeps the channels that get announcements (store.Store
// implements it for every backend, so that any replica sees them).
type Subscriptions interface {
	// Subscribe adds ch, or updates its address and language; added=false
	// when it was already subscribed.
	Subscribe(ctx context.Context, ch Channel) (added bool, err error)
	// Unsubscribe removes the channel; removed=false when it was not subscribed.
	Unsubscribe(ctx context.Context, platform, id string) (removed bool, err error)
}

// Announcer is an adapter that can post a reply to a Channel unprompted.
// An error means the message did not reach the channel (after the
// adapter's own retries): the caller counts it, and unsubscribes a channel
// that keeps failing.
type Announcer interface {
	Announce(ctx context.Context, ch Channel, r Reply) error
}
