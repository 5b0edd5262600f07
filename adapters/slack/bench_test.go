package slack

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// BenchmarkSlashCommand measures a signed slash command handled in process:
// signature check, parsing, the engine (a fast fake here; cmd/bot measures
// the real one), rendering and the inline JSON answer.
func BenchmarkSlashCommand(b *testing.B) {
	h := newHarness(b, newFakeEngine())
	mux := http.NewServeMux()
	h.a.Register(mux)
	body := commandForm("c'est quoi un système d'IA ?", "bench", h.fake)
	req := signedRequest("", "/slack/commands", formType, body, time.Now())
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	for b.Loop() {
		r := req.Clone(req.Context())
		r.Body = readCloser{bytes.NewReader(body)}
		w := httptest.NewRecorder()
		start := time.Now()
		mux.ServeHTTP(w, r)
		durations = append(durations, time.Since(start))
		if w.Code != 200 || w.Body.Len() == 0 {
			b.Fatalf("status %d, %d bytes: not answered inline", w.Code, w.Body.Len())
		}
	}
	slices.Sort(durations)
	if n := len(durations); n > 0 {
		b.ReportMetric(float64(durations[n/2].Microseconds()), "median-µs")
		b.ReportMetric(float64(durations[n*99/100].Microseconds()), "p99-µs")
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
