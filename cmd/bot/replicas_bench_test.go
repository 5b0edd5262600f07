package main

import (
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/internal/pgtest"
)

// forwarder serves a request by sending it over loopback HTTP to base, so
// benchChat can drive real `bot serve` processes.
type forwarder struct {
	client *http.Client
	base   string
}

func (f forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, f.base+r.URL.RequestURI(), r.Body)
	req.Header = r.Header.Clone()
	res, err := f.client.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}

// BenchmarkReplicas measures POST /api/chat on `bot serve` processes behind
// the round-robin proxy, on one machine (client, proxy, replicas and
// PostgreSQL share its cores): SQLite, PostgreSQL with one replica and with
// two. Each client goroutine is one user; conflicts/msg is the share of
// session writes that lost to another writer and were decided again.
//
//	go test -run '^$' -bench Replicas -benchtime 3s ./cmd/bot
func BenchmarkReplicas(b *testing.B) {
	qs := devQuestions(b, true)
	for _, c := range []struct {
		name     string
		replicas int
		pg       bool
	}{{"sqlite", 1, false}, {"postgres-1", 1, true}, {"postgres-2", 2, true}} {
		b.Run(c.name, func(b *testing.B) {
			var env []string
			if c.pg {
				env = append(env, "DATABASE_URL="+pgtest.URL(b))
			}
			var rs []*replica
			var urls []string
			for i := range c.replicas {
				r := startReplica(b, c.name+"-"+string(rune('a'+i)), env...)
				rs, urls = append(rs, r), append(urls, r.url)
			}
			proxy := newRRProxy(b, urls...)
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			h := forwarder{client: client, base: proxy.srv.URL}
			sum := func(series string) float64 {
				t := 0.0
				for _, r := range rs {
					t += r.metric(series)
				}
				return t
			}
			var n atomic.Uint64
			// A few sessions shared by every client: the worst case of
			// double clicks and several tabs, where conflicts happen.
			shared := make([]string, 4)
			for i := range shared {
				shared[i] = newSession(b)
				serveChat(h, map[string]string{"session": shared[i], "text": "admissibilite"})
			}
			for _, w := range []struct {
				name string
				next func(prev []byte) map[string]string
			}{
				{"question", func([]byte) map[string]string {
					return map[string]string{"text": qs[n.Add(1)%uint64(len(qs))]}
				}},
				{"dialog-step", func(prev []byte) map[string]string {
					var r chatReply
					if json.Unmarshal(prev, &r) == nil && r.Question != nil && len(r.Question.Choices) > 0 {
						return map[string]string{"action": r.Question.Choices[0].ID}
					}
					return map[string]string{"text": "admissibilite"}
				}},
				{"shared-sessions", func([]byte) map[string]string {
					k := n.Add(1)
					return map[string]string{"session": shared[k%uint64(len(shared))], "text": []string{"oui", "retour"}[(k/4)%2]}
				}},
			} {
				b.Run(w.name, func(b *testing.B) {
					conf0, msg0 := sum("conformbot_session_conflicts_total"), sum("conformbot_messages_total")
					b.SetParallelism(4)
					benchChat(b, h, w.next)
					conf, msgs := sum("conformbot_session_conflicts_total")-conf0, sum("conformbot_messages_total")-msg0
					if msgs > 0 {
						b.ReportMetric(conf/msgs, "conflicts/msg")
					}
				})
			}
		})
	}
}
