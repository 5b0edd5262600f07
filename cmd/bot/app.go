package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/ratelimit"
	"github.com/qc-ia/conformbot/store"
	"github.com/qc-ia/conformbot/store/postgres"
	"github.com/qc-ia/conformbot/store/sqlite"
)

// purgeEvery is how often expired sessions, de-duplication keys and data
// past retention are deleted while the bot runs: a fraction of the shorter
// of SESSION_TTL and DATA_RETENTION, at least every 5 minutes (and at most
// every 10 seconds, however short they are).
func purgeEvery(cfg Config) time.Duration {
	d := min(cfg.SessionTTL, cfg.Retention) / 4
	return max(10*time.Second, min(d, 5*time.Minute))
}

// openStore opens PostgreSQL when DATABASE_URL is set, else SQLite in
// BOT_DATA_DIR.
func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		st, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		return st, nil
	}
	st, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("BOT_DATA_DIR=%s: %w", cfg.DataDir, err)
	}
	return st, nil
}

// buildApp loads the FAQ, its index and the rules, opens the store in
// BOT_DATA_DIR and builds the engine. The returned cleanup stops the purge
// loop and closes the index and the store; call it once, when done.
func buildApp(ctx context.Context, env *Env) (*App, func() error, error) {
	cfg := env.Config
	kb, err := loadKB(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("FAQ : %w", err)
	}
	rs, err := loadRules(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("règles / rules: %w", err)
	}
	// A verdict must never cite an entry the bot cannot quote: refuse to
	// start on rules and an FAQ that do not match, as bot validate would.
	if missing := missingCitations(rs, kb, "la FAQ chargée", "the loaded FAQ"); len(missing) > 0 {
		return nil, nil, fmt.Errorf("règles et FAQ incompatibles (voir bot validate) / rules and FAQ do not match:\n%s", strings.Join(missing, "\n"))
	}
	ix, err := newIndex(cfg, kb)
	if err != nil {
		return nil, nil, fmt.Errorf("index : %w", err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		ix.Close()
		return nil, nil, err
	}
	var m *metrics
	if cfg.MetricsAddr != "" {
		m = newMetrics()
	}
	log := env.Logger.With("component", "store")
	// Review events and unanswered questions need no answer back: a turn
	// queues them and they are written many turns to a commit (see
	// store.Grouped); the cleanup below writes what waits.
	st = store.GroupEvents(st, store.GroupOptions{OnError: func(n int, err error) {
		log.Error("review events or unanswered questions not kept", "events", n, "err", err)
		if m != nil {
			m.storeErrors.WithLabelValues("add_events").Add(float64(n))
		}
	}})
	if m != nil {
		st = measuredStore{Store: st, m: m}
	}
	if cfg.DatabaseURL == "" && sqlite.DirOpenToOthers(cfg.DataDir) {
		log.Warn("BOT_DATA_DIR is open to other users of this machine (files inside are 0600); chmod 700 it", "dir", cfg.DataDir)
	}
	every := purgeEvery(cfg)
	purge := func() {
		ran, err := st.PurgeDue(ctx, cfg.Retention, every)
		if err != nil && ctx.Err() == nil {
			log.Error("purge failed", "err", err)
		}
		log.Debug("purge", "ran", ran)
		purgeLastReport(cfg.DataDir, cfg.Retention, time.Now())
	}
	purge()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				purge()
			case <-stop:
				return
			case <-ctx.Done():
				return
			}
		}
	})
	live := newLive(conversation.Options{
		Store:           st,
		EscalationEmail: cfg.EscalationEmail,
		SessionTTL:      cfg.SessionTTL,
		Logger:          env.Logger,
		LogText:         cfg.LogMessageText,
		NoUnanswered:    !cfg.KeepUnanswered,
		OnTurn:          m.onTurn,
		Subscriptions:   st,
	}, kb, ix, rs)
	eng := live.engine()
	replica := cfg.ReplicaID
	if replica == "" {
		replica = defaultReplicaID()
	}
	app := &App{Config: cfg, Logger: env.Logger, Handler: live, Deduper: st, live: live, userLimits: ratelimit.NewKeyed(cfg.RateUser),
		Engine: eng, Store: st, Metrics: m, Replica: replica, KB: kb, Index: ix, Rules: rs}
	var once sync.Once
	var cerr error
	cleanup := func() error {
		once.Do(func() {
			close(stop)
			wg.Wait()
			cerr = errors.Join(live.close(), st.Close())
		})
		return cerr
	}
	return app, cleanup, nil
}

// defaultReplicaID names this process among the replicas: host, pid and a
// random part (a restarted process is a new holder).
func defaultReplicaID() string {
	host, _ := os.Hostname()
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// entryQuestions maps FAQ entry ids to their official question, for the
// operator's report; empty when the FAQ cannot be loaded.
func entryQuestions(cfg Config) map[string]string {
	kb, err := loadKB(cfg)
	if err != nil {
		return nil
	}
	out := make(map[string]string, len(kb.Entries))
	for _, e := range kb.Entries {
		out[e.ID] = e.Question
	}
	return out
}
