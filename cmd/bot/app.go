package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store/sqlite"
)

// purgeEvery is how often expired sessions, de-duplication keys and data
// past retention are deleted while the bot runs.
const purgeEvery = time.Hour

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
	st, err := sqlite.Open(ctx, cfg.DataDir)
	if err != nil {
		ix.Close()
		return nil, nil, fmt.Errorf("BOT_DATA_DIR=%s: %w", cfg.DataDir, err)
	}
	log := env.Logger.With("component", "store")
	purge := func() {
		if err := st.PurgeExpired(ctx, cfg.Retention); err != nil && ctx.Err() == nil {
			log.Error("purge failed", "err", err)
		}
	}
	purge()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(purgeEvery)
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
	eng := conversation.New(conversation.Options{
		KB: kb, Index: ix, Rules: rs, Store: st,
		EscalationEmail: cfg.EscalationEmail,
		SessionTTL:      cfg.SessionTTL,
		Logger:          env.Logger,
		LogText:         cfg.LogMessageText,
	})
	app := &App{Config: cfg, Logger: env.Logger, Handler: eng, Deduper: st,
		Engine: eng, Store: st, KB: kb, Index: ix, Rules: rs}
	var once sync.Once
	var cerr error
	cleanup := func() error {
		once.Do(func() {
			close(stop)
			wg.Wait()
			cerr = errors.Join(ix.Close(), st.Close())
		})
		return cerr
	}
	return app, cleanup, nil
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
