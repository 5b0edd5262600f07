package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/testlog"
)

func TestHardenRecoversPanics(t *testing.T) {
	t.Parallel()
	const secret = "texte confidentiel de l'usager"
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int // 0: the connection is aborted
		wantLog    string
	}{
		{"panic before writing", func(http.ResponseWriter, *http.Request) { panic(secret) }, 500, "panic in handler"},
		{"panic with an error", func(http.ResponseWriter, *http.Request) { panic(errors.New(secret)) }, 500, "panic_type=*errors.errorString"},
		{"panic after writing", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, "partial")
			panic(secret)
		}, 0, "panic in handler"},
		{"abort handler", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }, 0, "aborted=true"},
		{"no panic", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }, 418, "status=418"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs testlog.Buffer
			mux := http.NewServeMux()
			mux.Handle("/boom", tt.handler)
			srv := httptest.NewUnstartedServer(harden(mux, slog.New(slog.NewTextHandler(&logs, nil))))
			srv.Config.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
			srv.Start()
			defer srv.Close()

			res, err := http.Post(srv.URL+"/boom?token=querysecret", "application/json", strings.NewReader(`{"text":"`+secret+`"}`))
			if tt.wantStatus == 0 {
				if err == nil {
					_, err = io.ReadAll(res.Body)
					res.Body.Close()
				}
				if err == nil {
					t.Fatal("response completed normally, want an aborted connection")
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != tt.wantStatus {
					t.Fatalf("status = %d, want %d", res.StatusCode, tt.wantStatus)
				}
				if tt.wantStatus == 500 && (!strings.Contains(string(body), `"error_fr"`) || !strings.Contains(string(body), `"error_en"`) ||
					!strings.HasPrefix(res.Header.Get("Content-Type"), "application/json")) {
					t.Errorf("500 body = %s (%s), want a JSON error in French and English", body, res.Header.Get("Content-Type"))
				}
				if strings.Contains(string(body), secret) {
					t.Errorf("client sees the panic value: %s", body)
				}
			}
			srv.Close() // flush the request log
			got := logs.String()
			if !strings.Contains(got, tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, got)
			}
			for _, leak := range []string{secret, "querysecret"} {
				if strings.Contains(got, leak) {
					t.Errorf("log holds %q:\n%s", leak, got)
				}
			}
		})
	}
}

func TestBrowserURL(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"0.0.0.0:9000":   "http://127.0.0.1:9000",
		"[::]:8080":      "http://127.0.0.1:8080",
		"[::1]:8080":     "http://[::1]:8080",
		"10.1.2.3:80":    "http://10.1.2.3:80",
	}
	for in, want := range tests {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := browserURL(addr); got != want {
			t.Errorf("browserURL(%s) = %s, want %s", in, got, want)
		}
	}
}

// registeredMount returns the mount a platform registered under name.
func registeredMount(t testing.TB, name string) mount {
	t.Helper()
	for _, m := range mounts {
		if m.name == name {
			return m
		}
	}
	t.Fatalf("no %s mount registered", name)
	return mount{}
}

// startMount builds and starts the adapter of a registered mount, and shuts
// it down at the end of the test.
func startMount(t testing.TB, name string, app *App, mux *http.ServeMux) conversation.Adapter {
	t.Helper()
	a, err := registeredMount(t, name).build(app)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background(), mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("%s shutdown: %v", name, err)
		}
	})
	return a
}

// fakeMount builds a mount whose adapter reports through channels; its
// loop runs under the adapter runtime, as the real platforms' do.
type fakeMount struct {
	name     string
	on       bool
	buildErr error
	loop     func(ctx context.Context) error
	built    chan struct{}
}

type fakeAdapter struct {
	f  *fakeMount
	rt *conversation.Runtime
}

func (a *fakeAdapter) Start(ctx context.Context, mux *http.ServeMux) error {
	a.rt.Start(ctx)
	mux.HandleFunc("POST /"+a.f.name+"/events", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	if a.f.loop != nil {
		a.rt.Loop("loop", a.f.loop)
	}
	return nil
}

func (a *fakeAdapter) Shutdown(ctx context.Context) error { return a.rt.Shutdown(ctx) }

func (f *fakeMount) mount() mount {
	f.built = make(chan struct{}, 1)
	return mount{
		name:    f.name,
		enabled: func(Config) bool { return f.on },
		build: func(app *App) (conversation.Adapter, error) {
			f.built <- struct{}{}
			if f.buildErr != nil {
				return nil, f.buildErr
			}
			return &fakeAdapter{f: f, rt: conversation.NewRuntime(app.Handler,
				conversation.RuntimeOptions{Component: f.name, Logger: app.Logger})}, nil
		},
	}
}

func TestServeRunsWebAndPlatforms(t *testing.T) {
	t.Parallel()
	loopStarted, loopStopped := make(chan struct{}), make(chan struct{})
	mounts := []*fakeMount{
		{name: "good", on: true, loop: func(ctx context.Context) error {
			close(loopStarted)
			<-ctx.Done()
			close(loopStopped)
			return ctx.Err()
		}},
		{name: "noloop", on: true},
		{name: "off", on: false},
		{name: "broken", on: true, buildErr: errors.New("bad token")},
		{name: "failing", on: true, loop: func(context.Context) error { return errors.New("gateway closed") }},
		{name: "panicking", on: true, loop: func(context.Context) error { panic("loop bug") }},
	}
	var ms []mount
	for _, m := range mounts {
		ms = append(ms, m.mount())
	}
	var logs testlog.Buffer
	app := &App{
		Config: Config{Addr: "127.0.0.1:0"},
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Handler: conversation.HandlerFunc(func(_ context.Context, m conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{Lang: "fr", Text: []string{"reçu : " + m.Text}}, nil
		}),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, outW, app, ln, ms); outW.Close() }()

	out := bufio.NewScanner(outR)
	var url string
	for url == "" && out.Scan() {
		line := out.Text()
		if i := strings.Index(line, "http://"); i >= 0 && strings.HasPrefix(line, "Clavardage web") {
			url = strings.Fields(line[i:])[0]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if url != "http://"+ln.Addr().String() {
		t.Fatalf("printed URL %q, want http://%s", url, ln.Addr())
	}
	<-loopStarted

	tests := []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/", "", 200},
		{"GET", "/healthz", "", 200},
		{"POST", "/api/chat", `{"session":"0123456789abcdef","text":"allo"}`, 200},
		{"POST", "/good/events", "", 202},
		{"POST", "/noloop/events", "", 202},
		{"POST", "/failing/events", "", 202},
		{"POST", "/off/events", "", 404},
		{"POST", "/broken/events", "", 404},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, url+tt.path, strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tt.method, tt.path, err)
		}
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, res.StatusCode, tt.want)
		}
	}
	select {
	case <-mounts[2].built:
		t.Error("a disabled platform was built")
	default:
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v after shutdown, want nil", err)
	}
	<-loopStopped
	got := logs.String()
	for _, want := range []string{`platform=broken err="bad token"`, `component=failing loop=loop err="gateway closed"`, `panic_type=string`, "route=/api/chat status=200"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(got, "allo") || strings.Contains(got, "0123456789abcdef") {
		t.Errorf("log holds message text or session id:\n%s", got)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// `bot serve` as a user runs it: real app, printed URL, Ctrl+C.
func TestRunServeCommand(t *testing.T) {
	t.Parallel()
	cfg, err := LoadConfig(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	outR, outW := io.Pipe()
	var logs testlog.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: outW, Stderr: &logs, Config: cfg, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() { code <- runServe(ctx, env, []string{"--addr", "127.0.0.1:0"}); outW.Close() }()

	out := bufio.NewScanner(outR)
	var fr, en string
	for (fr == "" || en == "") && out.Scan() {
		switch line := out.Text(); {
		case strings.HasPrefix(line, "Clavardage web prêt : ouvrez http://127.0.0.1:"):
			fr = line
		case strings.HasPrefix(line, "Web chat ready: open http://127.0.0.1:"):
			en = line
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if fr == "" || en == "" {
		t.Fatalf("no URL printed in French and English; log:\n%s", logs.String())
	}
	url := strings.Fields(strings.TrimPrefix(en, "Web chat ready: open "))[0]
	res, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("healthz = %d", res.StatusCode)
	}
	cancel()
	if c := <-code; c != exitOK {
		t.Errorf("exit code %d after Ctrl+C, want 0; log:\n%s", c, logs.String())
	}
}

func TestRunServeUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"-h"}, exitOK},
		{[]string{"extra"}, exitUsage},
		{[]string{"--nope"}, exitUsage},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		env := &Env{Stdout: io.Discard, Stderr: &stderr, Logger: slog.New(slog.DiscardHandler)}
		if got := runServe(context.Background(), env, tt.args); got != tt.want || !strings.Contains(stderr.String(), "bot serve") {
			t.Errorf("serve %v = %d, want %d; stderr %q", tt.args, got, tt.want, stderr.String())
		}
	}
}
