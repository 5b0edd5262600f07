// Package browsertest starts the system's headless Chromium for end-to-end
// tests of the web chat. It never downloads a browser: without one, the
// test is skipped with a message saying how to install it.
package browsertest

import (
	"context"
	"os/exec"
	"testing"
	"time"

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
	return ctx
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
