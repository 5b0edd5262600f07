// Package memstore is an in-memory conversation.Store, for tests and for
// runs that need not remember anything across a restart.
package memstore

import (
	"context"
	"sort"
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
