package main

import (
	"log/slog"
	"sync/atomic"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/internal/ratelimit"
	"github.com/qc-ia/conformbot/rules"
	"github.com/qc-ia/conformbot/store"
)

// App is what `bot serve` builds once (see buildApp) and hands to every
// platform mount.
type App struct {
	Config  Config
	Logger  *slog.Logger
	Handler conversation.Handler // the Engine
	Deduper conversation.Deduper // the Store

	Engine  *conversation.Engine
	Store   store.Store
	Metrics *metrics // nil unless METRICS_ADDR is set
	Replica string   // this replica's name in leases and logs
	KB      *faq.KB
	Index   *index.Index
	Rules   *rules.RuleSet

	userLimits *ratelimit.Keyed // RATE_LIMIT_USER, shared by the chat platforms; nil: off

	draining atomic.Bool               // set at shutdown: /readyz says 503
	live     *liveContent              // what Handler answers from, swapped by reloads
	announce atomic.Pointer[announcer] // set by bot serve once its adapters run
}

// platformHandler is what Slack, Teams and Discord talk to: the engine,
// with RATE_LIMIT_USER per person (the web chat has its own limits).
func (a *App) platformHandler() conversation.Handler {
	return conversation.LimitPerUser(a.Handler, a.userLimits)
}

// mount plugs one platform into `bot serve`. Each platform registers its
// mount from its own file (serve_<platform>.go): it only reads its part of
// the configuration; `bot serve` starts and stops every adapter through
// the one conversation.Adapter contract.
type mount struct {
	name string
	// enabled reports whether the configuration turns this platform on.
	enabled func(Config) bool
	// build makes the platform's adapter from the configuration.
	build func(app *App) (conversation.Adapter, error)
}

var mounts []mount
