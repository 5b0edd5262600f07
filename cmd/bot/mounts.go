package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
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

	draining atomic.Bool // set at shutdown: /readyz says 503
	mu       sync.Mutex
	drains   []func(deadline time.Time) // run once HTTP has stopped, in order
}

// onDrain adds work to finish at shutdown, after the HTTP server stopped
// and before the store closes, by deadline.
func (a *App) onDrain(f func(deadline time.Time)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.drains = append(a.drains, f)
}

func (a *App) drain(deadline time.Time) {
	a.mu.Lock()
	fs := a.drains
	a.drains = nil
	a.mu.Unlock()
	for _, f := range fs {
		f(deadline)
	}
}

// mount plugs one platform into `bot serve`. Each platform registers its
// mount from its own file (serve_<platform>.go).
type mount struct {
	name string
	// enabled reports whether the configuration turns this platform on.
	enabled func(Config) bool
	// setup registers HTTP routes on mux and may return a background loop
	// (a gateway or Socket Mode connection) that runs until ctx ends. An
	// error from the loop is logged; it never stops the process.
	setup func(ctx context.Context, app *App, mux *http.ServeMux) (loop func(context.Context) error, err error)
}

var mounts []mount
