package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/qc-ia/conformbot/conversation"
)

// App is what `bot serve` builds once and hands to every platform mount.
type App struct {
	Config  Config
	Logger  *slog.Logger
	Handler conversation.Handler
	Deduper conversation.Deduper
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
