package conversation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// Adapter is one platform plugged into `bot serve`: the same contract for
// every platform, so that the server starts and stops them all alike.
type Adapter interface {
	// Start mounts the adapter's HTTP routes on mux (if any) and starts its
	// background loops (a gateway, a socket), which run until Shutdown. It
	// returns once started; ctx carries the server's values.
	Start(ctx context.Context, mux *http.ServeMux) error
	// Shutdown stops taking new work, lets the work in flight finish until
	// ctx ends, then cancels the rest, and returns once every goroutine of
	// the adapter has stopped.
	Shutdown(ctx context.Context) error
}

// Defaults of the adapter runtime, the same for every platform.
const (
	// DefaultHandleTimeout bounds one engine call and the delivery of its
	// reply. The engine answers in milliseconds; this only bounds a stuck
	// store or platform API.
	DefaultHandleTimeout = 30 * time.Second
	// DedupeTTL is how long a platform's event id is remembered: longer
	// than any platform retries or replays a delivery (Slack's retries
	// come within the hour, a Discord resume within minutes).
	DedupeTTL = 24 * time.Hour
)

// RuntimeOptions configure a Runtime.
type RuntimeOptions struct {
	Component string        // the adapter's name, in logs
	Logger    *slog.Logger  // nil: discard
	Timeout   time.Duration // 0: DefaultHandleTimeout
	// Deduper remembers event ids; nil keeps them in memory (one process).
	Deduper Deduper
}

// Runtime is what adapters share and write only once: every engine call
// gets its deadline and panic recovery and never returns an error (a
// failure becomes ErrorReply); background work runs under the server's
// context and is drained by Shutdown; retried deliveries are recognised
// with one lifetime. Adapters keep only the translation.
type Runtime struct {
	h       Handler
	log     *slog.Logger
	timeout time.Duration
	dedupe  Deduper

	mu        sync.Mutex
	base      context.Context
	cancel    context.CancelFunc
	loops     context.Context // ends as Shutdown begins
	stopLoops context.CancelFunc
	closing   bool
	wg        sync.WaitGroup
}

var _ Handler = (*Runtime)(nil)

// NewRuntime wraps h.
func NewRuntime(h Handler, o RuntimeOptions) *Runtime {
	rt := &Runtime{h: h, log: o.Logger, timeout: o.Timeout, dedupe: o.Deduper}
	if rt.log == nil {
		rt.log = slog.New(slog.DiscardHandler)
	}
	if o.Component != "" {
		rt.log = rt.log.With("component", o.Component)
	}
	if rt.timeout <= 0 {
		rt.timeout = DefaultHandleTimeout
	}
	if rt.dedupe == nil {
		rt.dedupe = NewMemDeduper()
	}
	rt.setBase(context.Background())
	return rt
}

func (rt *Runtime) setBase(parent context.Context) {
	rt.base, rt.cancel = context.WithCancel(parent)
	rt.loops, rt.stopLoops = context.WithCancel(rt.base)
}

// Start makes the server's context the parent of all later work: its
// values reach the engine, and its end is the adapter's shutdown signal
// only through Shutdown (work in flight gets its grace period).
func (rt *Runtime) Start(ctx context.Context) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closing {
		return
	}
	rt.cancel()
	rt.setBase(context.WithoutCancel(ctx))
}

// Context is the runtime's context: it ends when Shutdown gives up waiting.
func (rt *Runtime) Context() context.Context {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.base
}

// Logger is the adapter's logger.
func (rt *Runtime) Logger() *slog.Logger { return rt.log }

// Timeout is the bound of one engine call.
func (rt *Runtime) Timeout() time.Duration { return rt.timeout }

// errPanic is what a panic in the engine becomes.
var errPanic = errors.New("panic in the engine")

// errEmpty is an engine reply with nothing to show.
var errEmpty = errors.New("the engine returned an empty reply")

// Handle calls the engine with the runtime's deadline, under both ctx (a
// request that is still waiting) and the runtime's context (the server).
// Text is made valid UTF-8 first. It never panics and always returns a
// reply to show: on a failure, logged here for the operator, ErrorReply in
// the message's language, with the error for adapters whose protocol
// reports failures (an HTTP 500).
func (rt *Runtime) Handle(ctx context.Context, m Message) (r Reply, _ error) {
	// Whatever the adapter read, the engine sees valid UTF-8 (ids stay as
	// the platform sent them: they address the reply).
	m.Text, m.Action, m.Locale = ValidText(m.Text), ValidText(m.Action), ValidText(m.Locale)
	ctx, cancel := context.WithTimeout(ctx, rt.timeout)
	defer cancel()
	stop := context.AfterFunc(rt.Context(), cancel)
	defer stop()
	start := time.Now()
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				rt.logPanic("engine", v)
				err = errPanic
			}
		}()
		r, err = rt.h.Handle(ctx, m)
		return err
	}()
	if err == nil && ctx.Err() != nil && r.IsEmpty() {
		err = ctx.Err()
	}
	if err != nil {
		rt.log.Error("engine call failed", "err", err, "timeout", errors.Is(err, context.DeadlineExceeded),
			"action", m.Action != "", "took", time.Since(start))
		return ErrorReply(err, m.Locale), err
	}
	if r.IsEmpty() {
		// The engine always has something to say: an empty reply is a bug,
		// and the user still gets an answer.
		rt.log.Error("engine returned an empty reply", "action", m.Action != "")
		return ErrorReply(nil, m.Locale), errEmpty
	}
	return r, nil
}

// Go runs f in the background under the runtime's context and deadline
// (an answer posted after the platform's request ended). A panic is
// logged, never fatal. After Shutdown has begun, f is not run.
func (rt *Runtime) Go(what string, f func(ctx context.Context)) bool {
	return rt.spawn(what, func(base context.Context) {
		ctx, cancel := context.WithTimeout(base, rt.timeout)
		defer cancel()
		f(ctx)
	})
}

// Loop runs a long-lived loop (a gateway, a socket) until Shutdown begins;
// its error and panic are logged and stop only the loop.
func (rt *Runtime) Loop(what string, f func(ctx context.Context) error) bool {
	return rt.spawnIn(what, true, func(ctx context.Context) {
		if err := f(ctx); err != nil && ctx.Err() == nil {
			rt.log.Error("loop stopped", "loop", what, "err", err)
		}
	})
}

func (rt *Runtime) spawn(what string, f func(ctx context.Context)) bool {
	return rt.spawnIn(what, false, f)
}

func (rt *Runtime) spawnIn(what string, loop bool, f func(ctx context.Context)) bool {
	rt.mu.Lock()
	if rt.closing {
		rt.mu.Unlock()
		rt.log.Warn("work refused: shutting down", "what", what)
		return false
	}
	base := rt.base
	if loop {
		base = rt.loops
	}
	rt.wg.Add(1)
	rt.mu.Unlock()
	go func() {
		defer rt.wg.Done()
		defer rt.Recover(what)
		f(base)
	}()
	return true
}

// Recover logs a panic of adapter code: deferred by callbacks a platform
// library calls (gateway events), so one bad event never stops the process.
func (rt *Runtime) Recover(what string) {
	if v := recover(); v != nil {
		rt.logPanic(what, v)
	}
}

// LogPanic logs a panic value recovered by adapter code that must do more
// than log (release waiters, report the loop's end).
func (rt *Runtime) LogPanic(what string, v any) { rt.logPanic(what, v) }

func (rt *Runtime) logPanic(what string, v any) {
	// The panic value may quote user input: log its type and stack only.
	rt.log.Error("panic recovered", "in", what, "panic_type", fmt.Sprintf("%T", v), "stack", string(debug.Stack()))
}

// Guard wraps an adapter's HTTP endpoint: a panic is logged and answered
// 500 (when nothing was written yet) instead of dropping the connection.
func (rt *Runtime) Guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			rt.logPanic("http "+r.URL.Path, v)
			http.Error(w, Bilingual(func(l *Labels) string { return l.Failure }), http.StatusInternalServerError)
		}()
		next.ServeHTTP(w, r)
	})
}

// FirstSeen reports whether key (a platform event id) is new. When the
// store fails (logged, and returned for adapters that know a retry from a
// first delivery), the delivery counts as new: answering twice beats not
// answering.
func (rt *Runtime) FirstSeen(ctx context.Context, key string) (bool, error) {
	if key == "" {
		return true, nil
	}
	first, err := rt.dedupe.FirstSeen(ctx, key, DedupeTTL)
	if err != nil {
		rt.log.Warn("deduplication store failed", "err", err)
		return true, err
	}
	return first, nil
}

// Shutdown refuses new work and stops the loops, waits for the work in
// flight until ctx ends, then cancels it and waits for it to return.
func (rt *Runtime) Shutdown(ctx context.Context) error {
	rt.mu.Lock()
	rt.closing = true
	cancel := rt.cancel
	rt.stopLoops()
	rt.mu.Unlock()
	done := make(chan struct{})
	go func() { rt.wg.Wait(); close(done) }()
	select {
	case <-done:
		cancel()
		return nil
	case <-ctx.Done():
	}
	cancel()
	<-done
	return ctx.Err()
}

// Wait blocks until the background work started so far has ended (tests).
func (rt *Runtime) Wait() { rt.wg.Wait() }

// memDeduper is the Deduper when none is given: right for one process,
// forgotten on restart. `bot serve` passes the store's.
type memDeduper struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// NewMemDeduper returns an in-memory Deduper.
func NewMemDeduper() Deduper { return &memDeduper{seen: map[string]time.Time{}} }

func (d *memDeduper) FirstSeen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if exp, ok := d.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	if len(d.seen) > 10000 {
		for k, exp := range d.seen {
			if now.After(exp) {
				delete(d.seen, k)
			}
		}
	}
	d.seen[key] = now.Add(ttl)
	return true, nil
}

// ReadBody reads an adapter's request body, at most limit bytes, before
// anything in it is trusted: a larger body is answered 413, one that does
// not arrive in time 408 and an unreadable one 400 (bilingual ErrorJSON),
// and ok is false.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		return body, true
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		fr, en := StatusText(http.StatusRequestEntityTooLarge)
		WriteError(w, http.StatusRequestEntityTooLarge, fr, en)
	case IsTimeout(err):
		fr, en := StatusText(http.StatusRequestTimeout)
		WriteError(w, http.StatusRequestTimeout, fr, en)
	default:
		WriteError(w, http.StatusBadRequest, "Corps de requête illisible.", "Unreadable request body.")
	}
	return nil, false
}
