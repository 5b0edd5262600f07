package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/store"
	"github.com/qc-ia/conformbot/store/memstore"
)

// flakyLeases fails every call once broken, as a replica cut off from the
// database would.
type flakyLeases struct {
	store.Leases
	broken atomic.Bool
}

func (f *flakyLeases) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if f.broken.Load() {
		return false, errors.New("connection refused")
	}
	return f.Leases.TryLease(ctx, name, holder, ttl)
}

func (f *flakyLeases) ReleaseLease(ctx context.Context, name, holder string) error {
	if f.broken.Load() {
		return errors.New("connection refused")
	}
	return f.Leases.ReleaseLease(ctx, name, holder)
}

// One holder at a time; a holder cut off stops before the other takes over,
// and the other does within the lease's ttl; a graceful stop hands over at
// once. Not parallel: it shortens the package's lease timing.
func TestRunLeasedFailover(t *testing.T) {
	oldTTL, oldRenew := leaseTTL, leaseRenew
	leaseTTL, leaseRenew = 400*time.Millisecond, 50*time.Millisecond
	t.Cleanup(func() { leaseTTL, leaseRenew = oldTTL, oldRenew })

	st := memstore.New()
	a := &flakyLeases{Leases: st}
	var mu sync.Mutex
	running := map[string]bool{}
	events := make(chan string, 16)
	role := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			mu.Lock()
			for other, on := range running {
				if on {
					t.Errorf("%s started while %s still runs", name, other)
				}
			}
			running[name] = true
			mu.Unlock()
			events <- name + " up"
			<-ctx.Done()
			mu.Lock()
			running[name] = false
			mu.Unlock()
			events <- name + " down"
			return nil
		}
	}
	log := slog.New(slog.DiscardHandler)
	next := func(want string, within time.Duration) {
		t.Helper()
		select {
		case got := <-events:
			if got != want {
				t.Fatalf("event %q; want %q", got, want)
			}
		case <-time.After(within):
			t.Fatalf("no %q within %v", want, within)
		}
	}
	ctxA, stopA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { doneA <- runLeased(ctxA, a, "gw", "A", log, func(bool) {}, role("A")) }()
	next("A up", time.Second)

	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	var heldB atomic.Bool
	doneB := make(chan error, 1)
	go func() { doneB <- runLeased(ctxB, st, "gw", "B", log, heldB.Store, role("B")) }()

	a.broken.Store(true) // A loses the database
	cut := time.Now()
	next("A down", time.Second)
	next("B up", time.Second)
	if took := time.Since(cut); took > leaseTTL+3*leaseRenew {
		t.Errorf("takeover took %v; want within %v", took, leaseTTL+leaseRenew)
	}
	if !heldB.Load() {
		t.Error("B's held callback not told")
	}
	stopA()
	<-doneA

	// A graceful stop releases the lease: a new replica gets it at once.
	a.broken.Store(false)
	ctxC, stopC := context.WithCancel(context.Background())
	defer stopC()
	doneC := make(chan error, 1)
	go func() { doneC <- runLeased(ctxC, st, "gw", "C", log, func(bool) {}, role("C")) }()
	stopB()
	next("B down", time.Second)
	<-doneB
	next("C up", 3*leaseRenew)
	stopC()
	next("C down", time.Second)
	<-doneC
}

func TestPurgeEvery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ttl, retention, want time.Duration
	}{
		{30 * time.Minute, 720 * time.Hour, 5 * time.Minute}, // defaults: at least every 5 minutes
		{8 * time.Minute, 720 * time.Hour, 2 * time.Minute},
		{30 * time.Minute, 4 * time.Minute, time.Minute}, // a short retention is honoured
		{time.Second, time.Hour, 10 * time.Second},       // but not by a busy loop
	} {
		if got := purgeEvery(Config{SessionTTL: tt.ttl, Retention: tt.retention}); got != tt.want {
			t.Errorf("purgeEvery(ttl %v, retention %v) = %v; want %v", tt.ttl, tt.retention, got, tt.want)
		}
	}
}
