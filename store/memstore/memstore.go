// Package memstore is an in-memory conversation.Store, for tests and for
// runs that need not remember anything across a restart.
package memstore

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store"
)

var _ store.Store = (*Store)(nil)

// Store keeps everything in maps guarded by one mutex. Now is the clock
// (time.Now when nil), replaceable by tests of expiry.
type Store struct {
	Now func() time.Time

	mu         sync.Mutex
	sessions   map[string]entry[conversation.Session]
	seen       map[string]time.Time
	votes      []vote
	unanswered []conversation.Unanswered
	reviews    []conversation.Review
	shares     map[string]entry[[]byte]
	leases     map[string]entry[string]
	version    int64 // last session version handed out, shared by all keys
	lastPurge  time.Time

	subs       []sub
	published  string
	summary    []byte
	deliveries []delivery
	lastID     int64
}

type sub struct {
	ch       conversation.Channel
	failures int
}

type delivery struct {
	d       store.Delivery
	due     time.Time
	claimed time.Time
	at      time.Time
}

type entry[T any] struct {
	v       T
	expires time.Time
	version int64
}

type vote struct {
	entryID string
	up      bool
	at      time.Time
}

// New returns an empty Store.
func New() *Store {
	return &Store{sessions: map[string]entry[conversation.Session]{}, seen: map[string]time.Time{},
		shares: map[string]entry[[]byte]{}, leases: map[string]entry[string]{}}
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// GetSession implements conversation.Store.
func (s *Store) GetSession(_ context.Context, key string) (conversation.Session, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.sessions[key]
	if !ok || !s.now().Before(e.expires) {
		return conversation.Session{}, 0, nil
	}
	return clone(e.v), e.version, nil
}

// PutSession implements conversation.Store.
func (s *Store) PutSession(_ context.Context, key string, sess conversation.Session, version int64, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	// As the SQL stores: a missing row is written whatever the version; an
	// existing one only at its version, or at 0 once it expired.
	if cur, ok := s.sessions[key]; ok && cur.version != version && (version != 0 || now.Before(cur.expires)) {
		return false, nil
	}
	s.version++
	s.sessions[key] = entry[conversation.Session]{clone(sess), now.Add(ttl), s.version}
	return true, nil
}

// clone copies the slices a session holds, so callers never share them with
// the store (as a real store's serialization would guarantee).
func clone(s conversation.Session) conversation.Session {
	if s.Dialog != nil {
		d := *s.Dialog
		d.Answers = append([]conversation.FactAnswer(nil), d.Answers...)
		s.Dialog = &d
	}
	s.Voted = append([]string(nil), s.Voted...)
	s.Reasoned = append([]string(nil), s.Reasoned...)
	s.Offers = append([]conversation.Offer(nil), s.Offers...)
	return s
}

// FirstSeen implements conversation.Deduper.
func (s *Store) FirstSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if exp, ok := s.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	s.seen[key] = now.Add(ttl)
	return true, nil
}

// AddFeedback implements conversation.Store.
func (s *Store) AddFeedback(_ context.Context, entryID string, up bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.votes = append(s.votes, vote{entryID, up, s.now()})
	return nil
}

// FeedbackCounts implements conversation.Store.
func (s *Store) FeedbackCounts(context.Context) ([]conversation.FeedbackCount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	by := map[string]*conversation.FeedbackCount{}
	var out []conversation.FeedbackCount
	for _, v := range s.votes {
		c := by[v.entryID]
		if c == nil {
			c = &conversation.FeedbackCount{EntryID: v.entryID}
			by[v.entryID] = c
		}
		if v.up {
			c.Up++
		} else {
			c.Down++
		}
	}
	for _, c := range by {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].EntryID < out[j].EntryID })
	return out, nil
}

// AddUnanswered implements conversation.Store.
func (s *Store) AddUnanswered(_ context.Context, q conversation.Unanswered) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.At.IsZero() {
		q.At = s.now()
	}
	s.unanswered = append(s.unanswered, q)
	return nil
}

// Unanswered implements conversation.Store.
func (s *Store) Unanswered(_ context.Context, limit int) ([]conversation.Unanswered, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []conversation.Unanswered
	for i := len(s.unanswered) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, s.unanswered[i])
	}
	return out, nil
}

// AddReview implements conversation.Store.
func (s *Store) AddReview(_ context.Context, r conversation.Review) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.At.IsZero() {
		r.At = s.now()
	}
	s.reviews = append(s.reviews, r)
	return nil
}

// Reviews implements conversation.Store.
func (s *Store) Reviews(_ context.Context, since time.Time) ([]conversation.Review, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []conversation.Review
	for _, r := range s.reviews {
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// PurgeExpired implements conversation.Store.
func (s *Store) PurgeExpired(_ context.Context, retention time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, e := range s.sessions {
		if !now.Before(e.expires) {
			delete(s.sessions, k)
		}
	}
	for k, exp := range s.seen {
		if !now.Before(exp) {
			delete(s.seen, k)
		}
	}
	cut := now.Add(-retention)
	votes := s.votes[:0]
	for _, v := range s.votes {
		if v.at.After(cut) {
			votes = append(votes, v)
		}
	}
	s.votes = votes
	un := s.unanswered[:0]
	for _, q := range s.unanswered {
		if q.At.After(cut) {
			un = append(un, q)
		}
	}
	s.unanswered = un
	rv := s.reviews[:0]
	for _, r := range s.reviews {
		if r.At.After(cut) {
			rv = append(rv, r)
		}
	}
	s.reviews = rv
	for k, e := range s.shares {
		if !now.Before(e.expires) {
			delete(s.shares, k)
		}
	}
	s.deliveries = slices.DeleteFunc(s.deliveries, func(d delivery) bool { return !d.at.After(cut) })
	return nil
}

// PurgeDue implements store.Store.
func (s *Store) PurgeDue(ctx context.Context, retention, every time.Duration) (bool, error) {
	s.mu.Lock()
	now := s.now()
	if !s.lastPurge.IsZero() && now.Sub(s.lastPurge) < every/2 && !now.Before(s.lastPurge) {
		s.mu.Unlock()
		return false, nil
	}
	s.lastPurge = now
	s.mu.Unlock()
	return true, s.PurgeExpired(ctx, retention)
}

// PutShare implements store.Shares.
func (s *Store) PutShare(_ context.Context, token string, data []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shares[token] = entry[[]byte]{v: append([]byte(nil), data...), expires: s.now().Add(ttl)}
	return nil
}

// GetShare implements store.Shares.
func (s *Store) GetShare(_ context.Context, token string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.shares[token]
	if !ok || !s.now().Before(e.expires) {
		return nil, false, nil
	}
	return append([]byte(nil), e.v...), true, nil
}

// TryLease implements store.Leases.
func (s *Store) TryLease(_ context.Context, name, holder string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if e, ok := s.leases[name]; ok && e.v != holder && now.Before(e.expires) {
		return false, nil
	}
	s.leases[name] = entry[string]{v: holder, expires: now.Add(ttl)}
	return true, nil
}

// ReleaseLease implements store.Leases.
func (s *Store) ReleaseLease(_ context.Context, name, holder string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.leases[name]; ok && e.v == holder {
		delete(s.leases, name)
	}
	return nil
}

// Ping implements store.Store.
func (s *Store) Ping(context.Context) error { return nil }

// Close implements store.Store.
func (s *Store) Close() error { return nil }

func (s *Store) subIndex(platform, id string) int {
	return slices.IndexFunc(s.subs, func(x sub) bool { return x.ch.Platform == platform && x.ch.ID == id })
}

// Subscribe implements conversation.Subscriptions.
func (s *Store) Subscribe(_ context.Context, ch conversation.Channel) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.subIndex(ch.Platform, ch.ID); i >= 0 {
		s.subs[i].ch = ch
		return false, nil
	}
	s.subs = append(s.subs, sub{ch: ch})
	return true, nil
}

// Unsubscribe implements conversation.Subscriptions.
func (s *Store) Unsubscribe(_ context.Context, platform, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unsubscribe(platform, id), nil
}

func (s *Store) unsubscribe(platform, id string) bool {
	i := s.subIndex(platform, id)
	if i < 0 {
		return false
	}
	s.subs = slices.Delete(s.subs, i, i+1)
	s.deliveries = slices.DeleteFunc(s.deliveries, func(d delivery) bool {
		return d.d.Channel.Platform == platform && d.d.Channel.ID == id
	})
	return true
}

// Subscriptions implements store.Announcements.
func (s *Store) Subscriptions(context.Context) ([]conversation.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]conversation.Channel, len(s.subs))
	for i, x := range s.subs {
		out[i] = x.ch
	}
	slices.SortFunc(out, func(a, b conversation.Channel) int {
		if a.Platform != b.Platform {
			return strings.Compare(a.Platform, b.Platform)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Published implements store.Announcements.
func (s *Store) Published(context.Context) (string, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.published, slices.Clone(s.summary), nil
}

// Publish implements store.Announcements.
func (s *Store) Publish(_ context.Context, prev, next string, summary, body []byte) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.published != prev {
		return false, nil
	}
	s.published, s.summary = next, slices.Clone(summary)
	now := s.now()
	for _, x := range s.subs {
		if body == nil {
			break
		}
		s.lastID++
		s.deliveries = append(s.deliveries, delivery{d: store.Delivery{ID: s.lastID, Channel: x.ch, Body: slices.Clone(body)}, due: now, at: now})
	}
	return true, nil
}

// ClaimDeliveries implements store.Announcements.
func (s *Store) ClaimDeliveries(_ context.Context, platforms []string, n int, lease time.Duration) ([]store.Delivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []store.Delivery
	for i := range s.deliveries {
		d := &s.deliveries[i]
		if len(out) == n {
			break
		}
		if d.due.After(now) || d.claimed.After(now) || !slices.Contains(platforms, d.d.Channel.Platform) {
			continue
		}
		d.claimed = now.Add(lease)
		c := d.d
		c.Body = slices.Clone(c.Body)
		if j := s.subIndex(c.Channel.Platform, c.Channel.ID); j >= 0 {
			c.Failures = s.subs[j].failures
		}
		out = append(out, c)
	}
	return out, nil
}

// Delivered implements store.Announcements.
func (s *Store) Delivered(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.deliveries, func(d delivery) bool { return d.d.ID == id })
	if i < 0 {
		return nil
	}
	ch := s.deliveries[i].d.Channel
	s.deliveries = slices.Delete(s.deliveries, i, i+1)
	if j := s.subIndex(ch.Platform, ch.ID); j >= 0 {
		s.subs[j].failures = 0
	}
	return nil
}

// DeliveryFailed implements store.Announcements.
func (s *Store) DeliveryFailed(_ context.Context, id int64, retry time.Duration, maxFailures int) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.deliveries, func(d delivery) bool { return d.d.ID == id })
	if i < 0 {
		return false, nil
	}
	ch := s.deliveries[i].d.Channel
	j := s.subIndex(ch.Platform, ch.ID)
	if j < 0 {
		s.deliveries = slices.Delete(s.deliveries, i, i+1)
		return true, nil
	}
	s.subs[j].failures++
	if s.subs[j].failures >= maxFailures {
		s.unsubscribe(ch.Platform, ch.ID)
		return true, nil
	}
	s.deliveries[i].due = s.now().Add(retry)
	s.deliveries[i].claimed = time.Time{}
	return false, nil
}
