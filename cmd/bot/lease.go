package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/qc-ia/conformbot/store"
)

// Lease timing: a holder renews every leaseRenew; a lease not renewed for
// leaseTTL is free, so a dead holder's role moves within leaseTTL+leaseRenew
// (25 s). A holder that cannot renew stops before its lease could pass to
// another replica, so two never hold the role at once.
var (
	leaseTTL   = 20 * time.Second
	leaseRenew = 5 * time.Second
)

// runLeased runs run only while holder holds the lease name, until ctx
// ends: it waits for the lease, runs, renews, stops run when the lease is
// lost, and releases it at the end. held is told each change (metrics).
func runLeased(ctx context.Context, leases store.Leases, name, holder string, log *slog.Logger,
	held func(bool), run func(context.Context) error) error {
	log = log.With("lease", name)
	try := func() bool {
		tctx, cancel := context.WithTimeout(ctx, leaseRenew)
		defer cancel()
		ok, err := leases.TryLease(tctx, name, holder, leaseTTL)
		if err != nil && ctx.Err() == nil {
			log.Error("lease check failed", "err", err)
		}
		return ok && err == nil
	}
	waiting := false
	for {
		if !try() {
			if !waiting && ctx.Err() == nil {
				log.Info("another replica holds the lease; standing by")
				waiting = true
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(leaseRenew):
				continue
			}
		}
		waiting = false
		log.Info("lease acquired", "replica", holder)
		held(true)
		err, stopped := holdWhile(ctx, try, run)
		held(false)
		rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if rerr := leases.ReleaseLease(rctx, name, holder); rerr != nil {
			log.Error("lease release failed (it expires by itself)", "err", rerr)
		}
		cancel()
		switch {
		case ctx.Err() != nil:
			log.Info("lease released")
			return err
		case stopped:
			log.Error("role stopped by itself; lease released", "err", err)
			select {
			case <-ctx.Done():
				return err
			case <-time.After(leaseRenew):
			}
		default:
			log.Warn("lease lost; role stopped")
		}
	}
}

// holdWhile runs run while renew keeps succeeding; stopped says run
// returned by itself.
func holdWhile(ctx context.Context, renew func() bool, run func(context.Context) error) (err error, stopped bool) {
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(hctx) }()
	tick := time.NewTicker(leaseRenew)
	defer tick.Stop()
	renewed := time.Now()
	for {
		select {
		case err := <-done:
			return err, ctx.Err() == nil
		case <-ctx.Done():
			cancel()
			return <-done, false
		case <-tick.C:
			if renew() {
				renewed = time.Now()
			} else if time.Since(renewed) >= leaseTTL-leaseRenew {
				// Before anyone else may take it.
				cancel()
				return <-done, false
			}
		}
	}
}
