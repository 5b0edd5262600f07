package store

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// EventWriter is a backend that writes review events and unanswered
// questions many at a time, in one transaction.
type EventWriter interface {
	AddEvents(ctx context.Context, reviews []conversation.Review, unanswered []conversation.Unanswered) error
}

// Group defaults: a turn's events wait a twentieth of a second at most;
// a group is written as soon as it holds DefaultGroupSize events.
const (
	DefaultGroupDelay = 50 * time.Millisecond
	DefaultGroupSize  = 256
	groupWriteTimeout = 10 * time.Second
)

// GroupOptions tune GroupEvents.
type GroupOptions struct {
	Delay time.Duration    // longest an event waits for its group (default DefaultGroupDelay)
	Size  int              // events that make a full group (default DefaultGroupSize)
	Now   func() time.Time // stamps an event that has no time (default time.Now)
	// OnError is told of the events that could not be written, with the
	// error (a nil OnError loses nothing more, but tells no one).
	OnError func(events int, err error)
}

// Grouped is a Store whose review events and unanswered questions are
// written in groups, one transaction for many turns, instead of one commit
// each: a turn's own cost stays its session read (and write). Nothing in a
// group is needed to answer: a turn's reply never waits for them, and a
// failed write already only got logged. What Grouped guarantees:
//   - bounded: an event is written within Delay, or at once by the turn
//     whose event fills a group (so at most Size wait, and a flood slows
//     down rather than piling up in memory);
//   - read-your-writes: Reviews, Unanswered and the purges write what is
//     waiting first, so `bot report` and retention see every event;
//   - never silent: a group that fails is written again one event at a
//     time, and what still fails is told to OnError (logged and counted);
//   - Close writes what waits before closing the backend, so a clean stop
//     keeps everything; a crash loses at most the last Delay of events.
//
// Events are redacted before they reach the store (see
// conversation.Redact): waiting in memory changes nothing of what is kept.
type Grouped struct {
	Store
	o GroupOptions

	mu         sync.Mutex
	reviews    []conversation.Review
	unanswered []conversation.Unanswered
	timer      *time.Timer // set while events wait
	closed     bool

	writing sync.Mutex // one group at a time, in order
}

// GroupEvents wraps s.
func GroupEvents(s Store, o GroupOptions) *Grouped {
	if o.Delay <= 0 {
		o.Delay = DefaultGroupDelay
	}
	if o.Size <= 0 {
		o.Size = DefaultGroupSize
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Grouped{Store: s, o: o}
}

// AddReview implements conversation.Store: r waits for its group.
func (g *Grouped) AddReview(ctx context.Context, r conversation.Review) error {
	if r.At.IsZero() {
		r.At = g.o.Now()
	}
	return g.add(ctx, func() { g.reviews = append(g.reviews, r) }, func() error { return g.Store.AddReview(ctx, r) })
}

// AddUnanswered implements conversation.Store: q waits for its group.
func (g *Grouped) AddUnanswered(ctx context.Context, q conversation.Unanswered) error {
	if q.At.IsZero() {
		q.At = g.o.Now()
	}
	return g.add(ctx, func() { g.unanswered = append(g.unanswered, q) }, func() error { return g.Store.AddUnanswered(ctx, q) })
}

// add queues an event (direct writes it once closed) and writes the group
// when it is full.
func (g *Grouped) add(ctx context.Context, queue func(), direct func() error) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return direct()
	}
	queue()
	n := len(g.reviews) + len(g.unanswered)
	if n == 1 {
		g.timer = time.AfterFunc(g.o.Delay, func() { _ = g.Flush(context.Background()) })
	}
	g.mu.Unlock()
	if n >= g.o.Size {
		return g.Flush(ctx)
	}
	return nil
}

// Flush writes the events waiting now, and returns once they are written
// or told to OnError (its error is that of the group, nil when every event
// was kept).
func (g *Grouped) Flush(ctx context.Context) error {
	g.writing.Lock()
	defer g.writing.Unlock()
	g.mu.Lock()
	reviews, unanswered := g.reviews, g.unanswered
	g.reviews, g.unanswered = nil, nil
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
	g.mu.Unlock()
	if len(reviews)+len(unanswered) == 0 {
		return nil
	}
	// The group is the process's, not the request's that filled it: a
	// client going away does not cancel the other turns' events.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupWriteTimeout)
	defer cancel()
	if w, ok := g.Store.(EventWriter); ok {
		if w.AddEvents(wctx, reviews, unanswered) == nil {
			return nil
		}
	}
	// One at a time: the backend writes no group, or the group's
	// transaction failed (keeping none of it), and one bad event or a busy
	// moment must not lose the others.
	lost := 0
	var err error
	keep := func(e error) {
		if e != nil {
			lost++
			err = cmp.Or(err, e) // the first says why; the count says how many
		}
	}
	for _, r := range reviews {
		keep(g.Store.AddReview(wctx, r))
	}
	for _, q := range unanswered {
		keep(g.Store.AddUnanswered(wctx, q))
	}
	if lost == 0 {
		return nil
	}
	if g.o.OnError != nil {
		g.o.OnError(lost, err)
	}
	return err
}

// Reviews implements conversation.Store, waiting events included.
func (g *Grouped) Reviews(ctx context.Context, since time.Time) ([]conversation.Review, error) {
	_ = g.Flush(ctx)
	return g.Store.Reviews(ctx, since)
}

// Unanswered implements conversation.Store, waiting events included.
func (g *Grouped) Unanswered(ctx context.Context, limit int) ([]conversation.Unanswered, error) {
	_ = g.Flush(ctx)
	return g.Store.Unanswered(ctx, limit)
}

// PurgeExpired implements conversation.Store on the waiting events too.
func (g *Grouped) PurgeExpired(ctx context.Context, retention time.Duration) error {
	_ = g.Flush(ctx)
	return g.Store.PurgeExpired(ctx, retention)
}

// PurgeDue implements Store on the waiting events too.
func (g *Grouped) PurgeDue(ctx context.Context, retention, every time.Duration) (bool, error) {
	_ = g.Flush(ctx)
	return g.Store.PurgeDue(ctx, retention, every)
}

// Close writes the waiting events, then closes the backend; events added
// afterwards go straight to it.
func (g *Grouped) Close() error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	err := g.Flush(context.Background())
	return errors.Join(err, g.Store.Close())
}
