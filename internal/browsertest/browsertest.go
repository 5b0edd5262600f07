// Package browsertest starts the system's headless Chromium for end-to-end
// tests of the web chat. It never downloads a browser: without one, the
// test is skipped with a message saying how to install it.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Names under which distributions install Chromium or Chrome.
var names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Find returns the path of an installed Chromium or Chrome, or "".
func Find() string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// New starts a fresh headless browser for t (its own profile, no network
// chatter of its own) and returns a context for chromedp actions that ends
// after timeout. t is skipped when no browser is installed.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := Find()
	if path == "" {
		t.Skip("browser test skipped: no chromium, chromium-browser or google-chrome in PATH " +
			"(install it with: apt-get install -y chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1024, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser to exit before t.TempDir is removed
	})
	// The first Run binds the browser's life to its context, so it gets no
	// timeout; it also makes a broken installation fail here, clearly.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	ctx, cancelTimeout := context.WithTimeout(bctx, timeout)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx, Media()); err != nil {
		t.Fatalf("emulate media: %v", err)
	}
	// Runs before the browser is closed: a failed test leaves a picture of
	// the page behind (the test's context may have timed out by then).
	t.Cleanup(func() {
		if t.Failed() {
			sctx, cancel := context.WithTimeout(bctx, 10*time.Second)
			defer cancel()
			Save(t, sctx, "failure")
			// What the page said last tells a timeout in CI apart: an
			// error reply, a reply still awaited, or a click gone astray.
			if text, err := chromedp.Run(sctx, chromedp.Evaluate[string](`(document.body.innerText || "").slice(-800)`)); err == nil {
				t.Logf("page text at failure (end):\n%s", text)
			}
		}
	})
	return ctx
}

// ScreenDir is where screenshots are written.
func ScreenDir() string { return filepath.Join(os.TempDir(), "conformbot-browser") }

// Save writes a screenshot of the viewport to ScreenDir as
// TestName-name.png and logs its path.
func Save(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name() + "-" + name + ".png")
	path := filepath.Join(ScreenDir(), file)
	if err := os.MkdirAll(ScreenDir(), 0o755); err == nil {
		err = os.WriteFile(path, png, 0o644)
		if err == nil {
			t.Logf("screenshot: %s", path)
			return
		}
	}
	t.Logf("screenshot %s not written: %v", name, err)
}

// Click clicks the first element matching the CSS selector sel once it
// holds still and is what the browser would hit at its centre. chromedp
// aims at the box it measured: an element still being laid out, scrolled
// or covered takes a click meant for it elsewhere, and the test then
// waits for an effect that never comes.
func Click(sel string) chromedp.Action[chromedp.Void] {
	key := fmt.Sprintf("__steady%d", clicks.Add(1))
	steady := fmt.Sprintf(`(() => {
	const e = document.querySelector(%[1]s);
	if (!e) return false;
	e.scrollIntoView({block: "nearest"});
	const r = e.getBoundingClientRect();
	const k = [r.x, r.y, r.width, r.height].join();
	const same = window[%[2]q] === k;
	window[%[2]q] = k;
	if (!same || r.width === 0 || r.height === 0) return false;
	const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
	return !!hit && (hit === e || e.contains(hit));
})()`, strconv.Quote(sel), key)
	return chromedp.Steps(
		chromedp.Poll[chromedp.Void](steady, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Click(chromedp.CSS(sel)),
	)
}

var clicks atomic.Int64

// Viewport sets the page's size in CSS pixels.
func Viewport(w, h int64) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(w, h)
}

// Media emulates CSS media features such as prefers-color-scheme: dark;
// pairs of name and value. prefers-reduced-motion is reduce unless given:
// a click lands where chromedp measured its element only if nothing is
// still scrolling smoothly.
func Media(nameValues ...string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		fs := []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}
		for i := 0; i+1 < len(nameValues); i += 2 {
			if nameValues[i] == fs[0].Name {
				fs[0].Value = nameValues[i+1]
				continue
			}
			fs = append(fs, &emulation.MediaFeature{Name: nameValues[i], Value: nameValues[i+1]})
		}
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: fs})
		return chromedp.Void{}, err
	}
}

// Offline cuts the page's network (navigator.onLine and fetch), or gives
// it back.
func Offline(off bool) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		return chromedp.Void{}, err
	}
}

// AxeScript returns axe-core's axe.min.js from the module's node_modules
// (installed by `npm ci` from package-lock.json), or skips t.
func AxeScript(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Skipf("accessibility test skipped: %v (install the pinned axe-core with: npm ci, in %s)", err, dir)
	}
	return string(b)
}

// Violation is one axe-core rule an element breaks.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var where []string
	for _, n := range v.Nodes {
		where = append(where, fmt.Sprint(n.Target)+": "+strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return fmt.Sprintf("%s (%s): %s\n    %s", v.ID, v.Impact, v.Help, strings.Join(where, "\n    "))
}

// Axe injects axe-core (script from AxeScript) into the page and returns
// the WCAG 2.1 A and AA violations it finds.
func Axe(t testing.TB, ctx context.Context, script string) []Violation {
	t.Helper()
	// Evaluated through DevTools, so the page's CSP (no eval) does not apply.
	if injected, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!window.axe`)); !injected {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](script+"\n;undefined")); err != nil {
			t.Fatalf("inject axe-core: %v", err)
		}
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe results: %v", err)
	}
	return vs
}

// Eval evaluates a JavaScript expression in the page and fails t on error.
func Eval(t testing.TB, ctx context.Context, expr string) any {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
