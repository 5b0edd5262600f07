package main

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store"
)

// metrics are the operators' Prometheus series. Labels are closed sets
// (routes, status codes, platforms, the engine's reply kinds, verdict
// codes, store operations): never text, user, channel or session ids.
type metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec   // route, code
	reqLatency  *prometheus.HistogramVec // route
	turns       *prometheus.CounterVec   // platform, decision
	verdicts    *prometheus.CounterVec   // platform, verdict
	turnLatency *prometheus.HistogramVec // platform
	storeErrors *prometheus.CounterVec   // op
	conflicts   prometheus.Counter
	refused     prometheus.Counter
	duplicates  *prometheus.CounterVec // platform
	purges      *prometheus.CounterVec // result
	gateway     prometheus.Gauge
}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	buckets := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "conformbot_http_requests_total",
			Help: "HTTP requests by route (the mux pattern) and status code."}, []string{"route", "code"}),
		reqLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "conformbot_http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: buckets}, []string{"route"}),
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "conformbot_messages_total",
			Help: "Messages handled by platform and decision (answer, ambiguous, fallback, off-topic, question, verdict, greeting, thanks, stale, conflict…)."},
			[]string{"platform", "decision"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "conformbot_verdicts_total",
			Help: "Eligibility verdicts given, by platform and verdict code."}, []string{"platform", "verdict"}),
		turnLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "conformbot_message_duration_seconds",
			Help: "Time to decide a reply, store included, by platform.", Buckets: buckets}, []string{"platform"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "conformbot_store_errors_total",
			Help: "Store operations that failed, by operation."}, []string{"op"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{Name: "conformbot_session_conflicts_total",
			Help: "Session writes refused because another write (another replica or tab) came first; the turn is decided again."}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{Name: "conformbot_session_conflicts_refused_total",
			Help: "Messages answered « déjà répondu » after losing every retry."}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "conformbot_duplicates_dropped_total",
			Help: "Platform deliveries dropped as already handled (retries, the same event at two replicas), by platform."},
			[]string{"platform"}),
		purges: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "conformbot_purges_total",
			Help: "Scheduled purges by result: ran here, skipped (another replica purged), error."}, []string{"result"}),
		gateway: prometheus.NewGauge(prometheus.GaugeOpts{Name: "conformbot_discord_gateway_held",
			Help: "1 while this replica holds the Discord gateway lease."}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.reqLatency, m.turns, m.verdicts, m.turnLatency,
		m.storeErrors, m.conflicts, m.refused, m.duplicates, m.purges, m.gateway,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	return m
}

// onTurn is the engine's OnTurn hook.
func (m *metrics) onTurn(s conversation.TurnStats) {
	if m == nil {
		return
	}
	p := platformLabel(s.Platform)
	kind := s.Kind
	if kind == "" {
		kind = "other"
	}
	m.turns.WithLabelValues(p, kind).Inc()
	if s.Verdict != "" && kind == "verdict" {
		m.verdicts.WithLabelValues(p, s.Verdict).Inc()
	}
	if kind == "conflict" {
		m.refused.Inc()
	}
	m.turnLatency.WithLabelValues(p).Observe(s.Duration.Seconds())
}

func platformLabel(p string) string {
	switch p {
	case conversation.PlatformWeb, conversation.PlatformConsole, conversation.PlatformSlack,
		conversation.PlatformTeams, conversation.PlatformDiscord:
		return p
	}
	return "other"
}

// instrument counts requests by route pattern (never the raw path, which
// may carry ids) and status.
func (m *metrics) instrument(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			route := r.Pattern
			if route == "" {
				route = "(none)"
			}
			m.requests.WithLabelValues(route, strconv.Itoa(sw.code())).Inc()
			m.reqLatency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(sw, r)
	})
}

// handler serves /metrics; with a token, only to "Authorization: Bearer <token>".
func (m *metrics) handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Timeout: 5 * time.Second})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "jeton requis / token required", http.StatusUnauthorized)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	// The metrics listener's errors (401, unknown path) have the one error
	// shape too.
	return jsonErrors(mux)
}

// serveMetrics runs the metrics listener until ctx ends.
func (m *metrics) serve(ctx context.Context, ln net.Listener, token string) error {
	srv := &http.Server{Handler: m.handler(token), ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// measuredStore counts the store's errors, session write conflicts and
// dropped duplicates.
type measuredStore struct {
	store.Store
	m *metrics
}

func (s measuredStore) err(op string, err error) error {
	if err != nil {
		s.m.storeErrors.WithLabelValues(op).Inc()
	}
	return err
}

func (s measuredStore) GetSession(ctx context.Context, key string) (conversation.Session, int64, error) {
	sess, v, err := s.Store.GetSession(ctx, key)
	return sess, v, s.err("get_session", err)
}

func (s measuredStore) PutSession(ctx context.Context, key string, sess conversation.Session, version int64, ttl time.Duration) (bool, error) {
	ok, err := s.Store.PutSession(ctx, key, sess, version, ttl)
	if err == nil && !ok {
		s.m.conflicts.Inc()
	}
	return ok, s.err("put_session", err)
}

func (s measuredStore) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	first, err := s.Store.FirstSeen(ctx, key, ttl)
	if err == nil && !first {
		p, _, _ := strings.Cut(key, ":")
		s.m.duplicates.WithLabelValues(platformLabel(p)).Inc()
	}
	return first, s.err("first_seen", err)
}

func (s measuredStore) AddFeedback(ctx context.Context, entryID string, up bool) error {
	return s.err("add_feedback", s.Store.AddFeedback(ctx, entryID, up))
}

func (s measuredStore) AddUnanswered(ctx context.Context, q conversation.Unanswered) error {
	return s.err("add_unanswered", s.Store.AddUnanswered(ctx, q))
}

func (s measuredStore) AddReview(ctx context.Context, r conversation.Review) error {
	return s.err("add_review", s.Store.AddReview(ctx, r))
}

func (s measuredStore) PutShare(ctx context.Context, token string, data []byte, ttl time.Duration) error {
	return s.err("put_share", s.Store.PutShare(ctx, token, data, ttl))
}

func (s measuredStore) GetShare(ctx context.Context, token string) ([]byte, bool, error) {
	b, ok, err := s.Store.GetShare(ctx, token)
	return b, ok, s.err("get_share", err)
}

func (s measuredStore) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	ok, err := s.Store.TryLease(ctx, name, holder, ttl)
	return ok, s.err("lease", err)
}

func (s measuredStore) PurgeDue(ctx context.Context, retention, every time.Duration) (bool, error) {
	ran, err := s.Store.PurgeDue(ctx, retention, every)
	switch {
	case err != nil:
		s.m.purges.WithLabelValues("error").Inc()
	case ran:
		s.m.purges.WithLabelValues("ran").Inc()
	default:
		s.m.purges.WithLabelValues("skipped").Inc()
	}
	return ran, s.err("purge", err)
}
