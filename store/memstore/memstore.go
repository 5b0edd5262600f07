// Package memstore is an in-memory conversation.Store, for tests and for
// runs that need not remember anything across a restart.
package memstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

var _ conversation.Store = (*Store)(nil)

// Store keeps everything in maps guarded by one mutex. Now is the clock
// (time.Now when nil), replaceable by tests of expiry.
type Store struct {
	Now func() time.Time

	mu         sync.Mutex
	sessions   map[string]entry[conversation.Session]
	seen       map[string]time.Time
	votes      []vote
	unanswered []conversation.Unanswered
}

type entry[T any] struct {
	v       T
	expires time.Time
}

type vote struct {
	entryID string
	up      bool
	at      time.Time
}

// New returns an empty Store.
func New() *Store {
	return &Store{sessions: map[string]entry[conversation.Session]{}, seen: map[string]time.Time{}}
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// GetSession implements conversation.Store.
func (s *Store) GetSession(_ context.Context, key string) (conversation.Session, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.sessions[key]
	if !ok || !s.now().Before(e.expires) {
		return conversation.Session{}, false, nil
	}
	return clone(e.v), true, nil
}

// PutSession implements conversation.Store.
func (s *Store) PutSession(_ context.Context, key string, sess conversation.Session, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[key] = entry[conversation.Session]{clone(sess), s.now().Add(ttl)}
	return nil
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
	return nil
}
