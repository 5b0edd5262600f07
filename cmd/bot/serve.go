package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/qc-ia/conformbot/adapters/web"
	"github.com/qc-ia/conformbot/conversation"
)

// HTTP limits of `bot serve`. Chat requests are small and answered in
// milliseconds; the timeouts only bound slow or stuck clients.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// shutdownTimeout bounds the whole stop after SIGTERM: in-flight
	// requests, platform connections, answers still being posted, leases.
	shutdownTimeout = 10 * time.Second
)

func init() {
	register(command{
		name:    "serve",
		summary: "clavardage web et plateformes configurées / web chat and configured platforms",
		run:     runServe,
	})
}

func runServe(ctx context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := fs.String("addr", env.Config.Addr, "adresse d'écoute (BOT_ADDR) / listen address")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Utilisation / usage: bot serve [--addr 127.0.0.1:8080]")
		fmt.Fprintln(env.Stderr, "Lance le clavardage web, puis Slack, Teams et Discord s'ils sont configurés (.env).")
		fmt.Fprintln(env.Stderr, "Runs the web chat, then Slack, Teams and Discord when configured (.env).")
		fs.PrintDefaults()
	}
	if code, stop := parseFlags(fs, args); stop {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	app, closeApp, err := buildApp(ctx, env)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot serve : démarrage impossible / cannot start: %v\n", err)
		return exitFail
	}
	// Set here, not by the runtime at start: GOGC may come from .env.
	debug.SetGCPercent(env.Config.GCPercent)
	defer func() {
		if err := closeApp(); err != nil {
			env.Logger.Error("close app", "err", err)
		}
	}()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bot serve : impossible d'écouter sur %s (adresse déjà utilisée ? essayez --addr 127.0.0.1:8081) / cannot listen on %s (address in use? try --addr 127.0.0.1:8081): %v\n", *addr, *addr, err)
		return exitFail
	}
	if app.Metrics != nil {
		mln, err := net.Listen("tcp", app.Config.MetricsAddr)
		if err != nil {
			fmt.Fprintf(env.Stderr, "bot serve : METRICS_ADDR=%s : écoute impossible / cannot listen: %v\n", app.Config.MetricsAddr, err)
			return exitFail
		}
		mctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			if err := app.Metrics.serve(mctx, mln, app.Config.MetricsToken); err != nil {
				env.Logger.Error("metrics listener stopped", "err", err)
			}
		}()
		env.Logger.Info("metrics ready", "url", browserURL(mln.Addr())+"/metrics")
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchContent(wctx, app.Config, env.Logger.With("component", "reload"), func() error {
			err := app.live.reloadAndReport(app.Config, env.Logger.With("component", "reload"))
			if err == nil || errors.Is(err, errUnchanged) {
				app.contentLoaded(wctx)
			}
			return err
		})
	}()
	defer func() { stopWatch(); <-watched }()
	if err := serve(ctx, env.Stdout, app, ln, mounts); err != nil {
		fmt.Fprintf(env.Stderr, "bot serve : %v\n", err)
		return exitFail
	}
	return exitOK
}

// serve runs the web chat and every enabled platform on ln until ctx ends,
// then shuts down gracefully. A platform that fails to set up or whose loop
// fails is logged and left out: the web chat keeps running.
func serve(ctx context.Context, out io.Writer, app *App, ln net.Listener, platforms []mount) error {
	logger := app.Logger.With("component", "serve")
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", readyz(app))
	adapters := []namedAdapter{{"web", web.New(app.Handler, app.Logger, web.WithKept(app.Config.Kept()), web.WithLimits(app.Config.WebLimits()))}}
	for _, m := range platforms {
		if !m.enabled(app.Config) {
			continue
		}
		a, err := m.build(app)
		if err != nil {
			logger.Error("platform setup failed; continuing without it", "platform", m.name, "err", err)
			fmt.Fprintf(out, "%s : désactivé, voir le journal / disabled, see the log\n", m.name)
			continue
		}
		adapters = append(adapters, namedAdapter{m.name, a})
	}
	var started []namedAdapter
	for _, a := range adapters {
		if err := a.Start(ctx, mux); err != nil {
			logger.Error("platform start failed; continuing without it", "platform", a.name, "err", err)
			fmt.Fprintf(out, "%s : désactivé, voir le journal / disabled, see the log\n", a.name)
			continue
		}
		if a.name != "web" {
			logger.Info("platform enabled", "platform", a.name)
		}
		started = append(started, a)
	}

	srv := &http.Server{
		Handler:           app.Metrics.instrument(harden(mux, logger)),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	stopAnnouncer := startAnnouncer(ctx, app, started)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(jsonErrorListener{ln}) }()
	url := browserURL(ln.Addr())
	fmt.Fprintf(out, "Clavardage web prêt : ouvrez %s dans votre navigateur (Ctrl+C pour arrêter).\n", url)
	fmt.Fprintf(out, "Web chat ready: open %s in your browser (Ctrl+C to stop).\n", url)
	logger.Info("listening", "url", url, "replica", app.Replica)

	// On SIGTERM: /readyz turns 503, the listener closes, requests in flight
	// finish, platform connections close and release their leases, answers
	// still being posted finish; all of it by one deadline.
	var err error
	select {
	case err = <-served: // the listener failed
	case <-ctx.Done():
		logger.Info("shutting down")
	}
	start := time.Now()
	deadline := start.Add(shutdownTimeout)
	app.draining.Store(true)
	sctx, cancel := context.WithDeadline(context.Background(), deadline)
	if serr := srv.Shutdown(sctx); err == nil {
		err = serr
	}
	cancel()
	if ctx.Err() != nil {
		<-served // http.ErrServerClosed once Shutdown has begun
	}
	stopAnnouncer() // a delivery cut short stays queued for the next replica or start
	sctx, cancel = context.WithDeadline(context.Background(), deadline)
	shutdownAdapters(sctx, started, logger)
	cancel()
	logger.Info("stopped", "took", time.Since(start).Round(time.Millisecond))
	return err
}

// webMux is a mux with the web chat and /readyz mounted, before any other platform.
func webMux(app *App) *http.ServeMux {
	mux := http.NewServeMux()
	web.New(app.Handler, app.Logger, web.WithKept(app.Config.Kept()), web.WithLimits(app.Config.WebLimits())).Register(mux)
	mux.Handle("GET /readyz", readyz(app))
	return mux
}

// readyz tells a load balancer whether to send traffic here: the store
// answers and the replica is not stopping. /healthz stays a liveness check.
func readyz(app *App) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		status, code := "ready", http.StatusOK
		switch {
		case app.draining.Load():
			status, code = "stopping", http.StatusServiceUnavailable
		case app.Store != nil:
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			err := app.Store.Ping(ctx)
			cancel()
			if err != nil {
				app.Logger.Warn("readiness: store unreachable", "err", err)
				status, code = "store unavailable", http.StatusServiceUnavailable
			}
		}
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": status})
	})
}

type namedAdapter struct {
	name string
	conversation.Adapter
}

// shutdownAdapters stops every adapter at once, within ctx: an adapter
// whose work outlives it has that work cancelled. Loops (gateways, sockets)
// close first, releasing their leases.
func shutdownAdapters(ctx context.Context, adapters []namedAdapter, logger *slog.Logger) {
	var wg sync.WaitGroup
	for _, a := range adapters {
		wg.Go(func() {
			if err := a.Shutdown(ctx); err != nil {
				logger.Warn("platform work cancelled at shutdown", "platform", a.name, "err", err)
			}
		})
	}
	wg.Wait()
}

// browserURL is the address to open: an unspecified host (0.0.0.0, ::)
// is reachable on this machine through the loopback address.
func browserURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// harden wraps every route of `bot serve`: requests are logged (route,
// status, size, duration; never bodies, queries or ids) and a panic becomes
// a 500 instead of a dropped connection.
func harden(next http.Handler, logger *slog.Logger) http.Handler {
	return logRequests(jsonErrors(recoverPanics(next, logger)), logger)
}

func logRequests(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			aborted := recover() // only http.ErrAbortHandler gets past recoverPanics
			level := slog.LevelInfo
			if r.Pattern == "/healthz" || r.Pattern == "GET /readyz" {
				level = slog.LevelDebug
			}
			route := r.Pattern // the mux pattern, not the raw path: paths may carry ids
			if route == "" {
				route = "(none)"
			}
			var buf [6]slog.Attr
			attrs := append(buf[:0], slog.String("method", r.Method), slog.String("route", route), slog.Int("status", sw.code()),
				slog.Int("bytes", sw.bytes), slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
			if aborted != nil {
				attrs = append(attrs, slog.Bool("aborted", true))
			}
			logger.LogAttrs(r.Context(), level, "http request", attrs...)
			if aborted != nil {
				panic(aborted)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func recoverPanics(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // net/http's own way to abort a response quietly
			}
			// The panic value may quote user input: log its type and stack only.
			logger.Error("panic in handler", "route", r.Pattern, "panic_type", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
			if sw.wrote {
				// Part of a response is out; abort rather than end it as if complete.
				panic(http.ErrAbortHandler)
			}
			h := sw.Header()
			h.Set("Content-Type", "application/json; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			sw.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(sw).Encode(map[string]string{
				"error":    "Erreur interne du serveur. / Internal server error.",
				"error_fr": "Erreur interne du serveur. Réessayez dans un instant.",
				"error_en": "Internal server error. Please try again in a moment.",
			})
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter records what a handler wrote, for the log and the recovery.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) code() int {
	if !w.wrote {
		return http.StatusOK
	}
	return w.status
}

// Flush keeps streaming handlers working behind the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if !w.wrote {
			w.status, w.wrote = http.StatusOK, true
		}
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
