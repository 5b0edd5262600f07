package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/internal/pgtest"
)

// The bot as an operator runs it: `bot serve` processes on one PostgreSQL
// database, behind a round-robin proxy, on loopback only.

var (
	botBinOnce sync.Once
	botBin     string
	botBinErr  error
)

// buildBot builds cmd/bot once per test binary (with -race when the tests
// run with it, so the build reuses the test build's cached packages).
func buildBot(t testing.TB) string {
	t.Helper()
	botBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "conformbot-bin")
		if err != nil {
			botBinErr = err
			return
		}
		botBin = filepath.Join(dir, "bot")
		args := []string{"build", "-o", botBin}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), append(args, ".")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			botBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if botBinErr != nil {
		t.Fatal(botBinErr)
	}
	return botBin
}

// replica is one `bot serve` process.
type replica struct {
	t       testing.TB
	name    string
	cmd     *exec.Cmd
	url     string // web chat and platform endpoints
	metrics string // /metrics URL
	logs    *syncBuffer
	exited  chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	webURLLine     = regexp.MustCompile(`^Web chat ready: open (http://\S+) `)
	metricsURLLine = regexp.MustCompile(`msg="metrics ready" url=(\S+)`)
)

// startReplica runs `bot serve` with env (on top of a loopback listener,
// metrics and debug-free logs) and waits until it listens.
func startReplica(t testing.TB, name string, env ...string) *replica {
	t.Helper()
	bin := buildBot(t)
	cmd := exec.Command(bin, "serve")
	cmd.Dir = t.TempDir() // no .env from the developer's tree
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "BOT_ADDR=127.0.0.1:0", "METRICS_ADDR=127.0.0.1:0",
		"REPLICA_ID=" + name, "BOT_DATA_DIR=" + filepath.Join(cmd.Dir, "data"),
		// One load generator on loopback is not what the limits are for.
		"RATE_LIMIT_ADDRESS=off", "RATE_LIMIT_SESSION=off"}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := &replica{t: t, name: name, cmd: cmd, logs: &syncBuffer{}, exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	web, met := make(chan string, 1), make(chan string, 1)
	scan := func(rd io.Reader, re *regexp.Regexp, found chan string) {
		sc := bufio.NewScanner(rd)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(r.logs, line)
			if m := re.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}
	var pipes sync.WaitGroup
	pipes.Go(func() { scan(stdout, webURLLine, web) })
	pipes.Go(func() { scan(stderr, metricsURLLine, met) })
	go func() {
		pipes.Wait()
		_ = cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() { r.kill() })
	for _, c := range []struct {
		ch  chan string
		dst *string
	}{{web, &r.url}, {met, &r.metrics}} {
		select {
		case *c.dst = <-c.ch:
		case <-r.exited:
			t.Fatalf("replica %s exited at start:\n%s", name, r.logs)
		case <-time.After(60 * time.Second):
			t.Fatalf("replica %s did not start:\n%s", name, r.logs)
		}
	}
	return r
}

// kill stops the process at once, as a crash would.
func (r *replica) kill() {
	_ = r.cmd.Process.Kill()
	<-r.exited
}

// stop sends SIGTERM and waits for a clean exit.
func (r *replica) stop() {
	r.t.Helper()
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(shutdownTimeout + 5*time.Second):
		r.t.Fatalf("replica %s still running after SIGTERM:\n%s", r.name, r.logs)
	}
	if code := r.cmd.ProcessState.ExitCode(); code != 0 {
		r.t.Errorf("replica %s exited with %d after SIGTERM:\n%s", r.name, code, r.logs)
	}
}

// metric sums the samples of a series whose line starts with prefix.
func (r *replica) metric(prefix string) float64 {
	r.t.Helper()
	res, err := http.Get(r.metrics)
	if err != nil {
		r.t.Fatalf("metrics of %s: %v", r.name, err)
	}
	defer res.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			v, _ := strconv.ParseFloat(line[i+1:], 64)
			sum += v
		}
	}
	return sum
}

// rrProxy sends each request to the next replica in turn, as a load
// balancer would; a replica that refuses connections is skipped (that
// request never reached it, so retrying elsewhere is safe).
type rrProxy struct {
	srv      *httptest.Server
	mu       sync.Mutex
	backends []string
	next     atomic.Uint64
	client   *http.Client
}

func newRRProxy(t testing.TB, backends ...string) *rrProxy {
	p := &rrProxy{backends: backends, client: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *rrProxy) set(backends ...string) {
	p.mu.Lock()
	p.backends = backends
	p.mu.Unlock()
}

func (p *rrProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	backends := p.backends
	p.mu.Unlock()
	start := p.next.Add(1)
	for i := range backends {
		b := backends[(start+uint64(i))%uint64(len(backends))]
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, b+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		res, err := p.client.Do(req)
		if err != nil {
			if isRefused(err) {
				continue
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
		res.Body.Close()
		return
	}
	http.Error(w, "no replica", http.StatusBadGateway)
}

// toReplica sends a test request (path only) to replica r.
func toReplica(r *replica, req *http.Request) *http.Request {
	u, _ := url.Parse(r.url + req.URL.RequestURI())
	req.URL, req.Host, req.RequestURI = u, u.Host, ""
	return req
}

func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// webChat posts one message to /api/chat at base.
func webChat(client *http.Client, base, session, text, action string) (chatReply, int, error) {
	b, _ := json.Marshal(map[string]string{"session": session, "text": text, "action": action})
	res, err := client.Post(base+"/api/chat", "application/json", bytes.NewReader(b))
	if err != nil {
		return chatReply{}, 0, err
	}
	defer res.Body.Close()
	var r chatReply
	if res.StatusCode == 200 {
		if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
			return r, res.StatusCode, err
		}
	}
	return r, res.StatusCode, nil
}

type questionStep struct {
	Question *struct {
		Fact string `json:"fact"`
		Step int    `json:"step"`
	} `json:"question"`
}

// step is the reply's question number (0: none).
func step(client *http.Client, base, session, text, action string) (int, string, string, error) {
	b, _ := json.Marshal(map[string]string{"session": session, "text": text, "action": action})
	res, err := client.Post(base+"/api/chat", "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, "", "", err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return 0, "", "", fmt.Errorf("status %d: %s", res.StatusCode, raw)
	}
	var r questionStep
	var full chatReply
	_ = json.Unmarshal(raw, &r)
	_ = json.Unmarshal(raw, &full)
	if r.Question == nil {
		return 0, "", full.Text, nil
	}
	return r.Question.Step, r.Question.Fact, full.Text, nil
}

func alreadyAnswered(text string) bool {
	return strings.Contains(text, "Déjà répondu") || strings.Contains(text, "déjà répondu")
}

func TestTwoReplicas(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the bot: not with -short")
	}
	dsn := pgtest.URL(t)
	side := newSlackSide(t)
	env := []string{"DATABASE_URL=" + dsn, "SLACK_BOT_TOKEN=xoxb-replicas", "SLACK_SIGNING_SECRET=" + e2eSecret,
		"SLACK_API_URL=" + side.srv.URL + "/api/"}
	var a, b *replica
	var wg sync.WaitGroup
	wg.Go(func() { a = startReplica(t, "a", env...) }) // both start at once: migrations must not collide
	wg.Go(func() { b = startReplica(t, "b", env...) })
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	proxy := newRRProxy(t, a.url, b.url)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	t.Run("concurrent steps of one dialog", func(t *testing.T) {
		// Typed answers are applied one after the other; the same button
		// clicked on both replicas is applied once, the other click told
		// « déjà répondu ».
		const trials = 100
		var refused, lost atomic.Int64
		var twg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for trial := range trials {
			sem <- struct{}{}
			twg.Go(func() {
				defer func() { <-sem }()
				sess := fmt.Sprintf("trial%04d-%s", trial, newSession(t)[:12])
				first, fact, _, err := step(client, proxy.srv.URL, sess, "", "elig:start")
				if err != nil || first != 1 {
					t.Errorf("trial %d: start = step %d, %v", trial, first, err)
					return
				}
				const n = 2 // two typed answers and two clicks: at most 3 answers, before any verdict
				results := make(chan [2]int, n+2)
				var cwg sync.WaitGroup
				for i := range n + 2 {
					cwg.Go(func() {
						text, action := "oui", ""
						if i >= n { // two clicks of the first question's button
							text, action = "", "elig:ans:"+fact+":yes"
						}
						s, _, said, err := step(client, proxy.srv.URL, sess, text, action)
						if err != nil {
							t.Errorf("trial %d: %v", trial, err)
						}
						applied := 1
						if alreadyAnswered(said) || strings.Contains(said, "avez déjà répondu") {
							applied = 0
						}
						results <- [2]int{s, applied}
					})
				}
				cwg.Wait()
				close(results)
				applied, seen := 0, map[int]bool{}
				for r := range results {
					if r[1] == 1 {
						if r[0] > 0 && seen[r[0]] {
							t.Errorf("trial %d: step %d reached twice", trial, r[0])
						}
						seen[r[0]] = true
						applied++
					} else {
						refused.Add(1)
					}
				}
				now, _, _, err := step(client, proxy.srv.URL, sess, "aide", "")
				if err != nil {
					t.Errorf("trial %d: %v", trial, err)
				}
				if now != applied+1 {
					lost.Add(1)
					t.Errorf("trial %d: %d answers applied but the dialog is at step %d", trial, applied, now)
				}
			})
		}
		twg.Wait()
		conflicts := a.metric("conformbot_session_conflicts_total") + b.metric("conformbot_session_conflicts_total")
		t.Logf("%d trials: %d lost or doubled, %d refused as already answered, %.0f session write conflicts retried",
			trials, lost.Load(), refused.Load(), conflicts)
		if conflicts == 0 {
			t.Error("no conflict in 100 trials: the replicas did not race, so the test proved nothing")
		}
	})

	t.Run("one Slack event at both replicas is answered once", func(t *testing.T) {
		body := `{"type":"event_callback","team_id":"T1","event_id":"EvBoth1","event":{"type":"app_mention","user":"U9","text":"<@B1> aide","ts":"77.1","channel":"C9"}}`
		before := a.metric("conformbot_duplicates_dropped_total") + b.metric("conformbot_duplicates_dropped_total")
		var swg sync.WaitGroup
		for _, r := range []*replica{a, b} {
			swg.Go(func() {
				res, err := client.Do(toReplica(r, signedSlack("/slack/events", "application/json", body)))
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				if res.StatusCode != 200 {
					t.Errorf("replica %s acked the event with %d", r.name, res.StatusCode)
				}
			})
		}
		swg.Wait()
		post := waitMsg(t, side.posts, "answer to the mention")
		if post.Channel != "C9" {
			t.Errorf("answer posted to %q; want C9", post.Channel)
		}
		// The other replica drops its copy: wait until it says so, then no
		// second answer can come.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			d := a.metric("conformbot_duplicates_dropped_total") + b.metric("conformbot_duplicates_dropped_total")
			if d-before >= 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no replica dropped the second copy")
			}
		}
		select {
		case m := <-side.posts:
			t.Errorf("the event was answered twice (second post to %s)", m.Channel)
		default:
		}
	})

	t.Run("the share button of an answer from one replica works on the other", func(t *testing.T) {
		res, err := client.Do(toReplica(a, slashCommand(side, "U5", "Puis-je encore utiliser la version web de ChatGPT?", "share1")))
		if err != nil {
			t.Fatal(err)
		}
		var got slackMsg
		err = json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(slackButtons(got.Blocks), func(b slackButton) bool { return b.Label == "Partager dans le canal" })
		if i < 0 {
			t.Fatalf("no share button: %+v", slackButtons(got.Blocks))
		}
		res, err = client.Do(toReplica(b, clickSlack(side, "U5", slackButtons(got.Blocks)[i], "share2")))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		shared := waitMsg(t, side.responses, "shared answer")
		if shared.ResponseType != "in_channel" || !strings.Contains(blocksText(shared.Blocks), "ChatGPT") {
			t.Errorf("shared by the other replica: %s\n%s", shared.ResponseType, blocksText(shared.Blocks))
		}
	})

	t.Run("a replica killed mid-load loses no acknowledged write", func(t *testing.T) {
		// Each user goes forth and back between questions 1 and 2; each
		// acknowledged reply says where its write left the dialog.
		const users, ops = 16, 10
		type user struct {
			sess         string
			lastAcked    int // step in the last acknowledged reply
			failedAfter  int // failed requests after it (their write may or may not have happened)
			acked, fails int
		}
		us := make([]*user, users)
		for i := range us {
			us[i] = &user{sess: fmt.Sprintf("load%02d-%s", i, newSession(t)[:12])}
			s, _, _, err := step(client, proxy.srv.URL, us[i].sess, "", "elig:start")
			if err != nil || s != 1 {
				t.Fatalf("start: %d %v", s, err)
			}
			us[i].lastAcked = 1
		}
		var done atomic.Int64
		var afterKill atomic.Int64
		var killed atomic.Bool
		third := make(chan struct{})
		var once sync.Once
		var lwg sync.WaitGroup
		for _, u := range us {
			lwg.Go(func() {
				for i := range ops {
					text := []string{"oui", "retour"}[i%2]
					s, _, _, err := step(client, proxy.srv.URL, u.sess, text, "")
					if err != nil {
						u.fails++
						u.failedAfter++
						continue
					}
					u.acked++
					u.lastAcked, u.failedAfter = s, 0
					if killed.Load() {
						afterKill.Add(1)
					}
					if done.Add(1) == users*ops/3 {
						once.Do(func() { close(third) })
					}
				}
			})
		}
		<-third // a third of the load answered, the rest in flight
		a.kill()
		killed.Store(true)
		lwg.Wait()
		if afterKill.Load() == 0 {
			t.Error("no request answered after the kill")
		}
		fails := 0
		for _, u := range us {
			fails += u.fails
			s, _, _, err := step(client, b.url, u.sess, "aide", "")
			if err != nil {
				t.Fatal(err)
			}
			if d := s - u.lastAcked; d > u.failedAfter || -d > u.failedAfter {
				t.Errorf("session %s: at step %d, but its last acknowledged reply said %d (%d failed requests after it)",
					u.sess[:6], s, u.lastAcked, u.failedAfter)
			}
		}
		t.Logf("%d requests: %d answered (%d after the kill), %d failed at the kill", users*ops, done.Load(), afterKill.Load(), fails)
	})

	t.Run("sessions survive both replicas restarting", func(t *testing.T) {
		sess := "restart-" + newSession(t)[:16]
		step(client, b.url, sess, "", "elig:start")
		s1, _, _, _ := step(client, b.url, sess, "oui", "")
		if s1 != 2 {
			t.Fatalf("before restart: step %d; want 2", s1)
		}
		b.stop()
		c := startReplica(t, "c", env...)
		d := startReplica(t, "d", env...)
		proxy.set(c.url, d.url)
		s2, _, _, err := step(client, proxy.srv.URL, sess, "aide", "")
		if err != nil || s2 != 2 {
			t.Errorf("after restart: step %d, %v; want 2", s2, err)
		}
		s3, _, _, _ := step(client, proxy.srv.URL, sess, "oui", "")
		if s3 != 3 {
			t.Errorf("next step after restart: %d; want 3", s3)
		}
		c.stop()
		d.stop()
	})
}
