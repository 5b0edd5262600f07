package console

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
)

// termOut collects what Run prints and says when a prompt is shown.
type termOut struct {
	mu     sync.Mutex
	buf    strings.Builder
	prompt chan struct{}
}

func (o *termOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	o.buf.Write(p)
	ready := strings.HasSuffix(o.buf.String(), "\n"+prompt)
	o.mu.Unlock()
	if ready {
		select {
		case o.prompt <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// consoleDriver types lines into Run as a person at the terminal would.
type consoleDriver struct {
	mu     sync.Mutex
	in     *io.PipeWriter
	out    *termOut
	seen   int
	cancel context.CancelFunc
	done   chan error
}

var buttonLine = regexp.MustCompile(`^  (\d+)\. (.*?)( \(lien\)| \(link\))?$`)

func (d *consoleDriver) line(t testing.TB, s string) adaptertest.Out {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := io.WriteString(d.in, s+"\n"); err != nil {
		t.Fatalf("typing %q: %v", s, err)
	}
	select {
	case <-d.out.prompt:
	case <-time.After(10 * time.Second):
		t.Fatalf("no prompt after %q", s)
	}
	d.out.mu.Lock()
	all := d.out.buf.String()
	d.out.mu.Unlock()
	page := strings.TrimSuffix(all[d.seen:], prompt)
	d.seen = len(all)
	o := adaptertest.Out{Messages: 1}
	var text []string
	for _, l := range strings.Split(page, "\n") {
		if m := buttonLine.FindStringSubmatch(l); m != nil {
			o.Buttons = append(o.Buttons, adaptertest.Button{Label: m[2], Ref: m[1]})
			continue
		}
		text = append(text, l)
	}
	o.Text = strings.Join(text, "\n")
	return o
}

func (d *consoleDriver) Send(t testing.TB, _ string, text string) adaptertest.Out {
	return d.line(t, text)
}

// Click types the button's number.
func (d *consoleDriver) Click(t testing.TB, _ string, b adaptertest.Button) adaptertest.Out {
	return d.line(t, b.Ref)
}

// Shutdown is Ctrl+C: Run's context ends.
func (d *consoleDriver) Shutdown(ctx context.Context) error {
	d.cancel()
	select {
	case err := <-d.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NoOldButtons: the numbers typed are those of the last reply.
func (d *consoleDriver) NoOldButtons() bool { return true }

func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T, h *adaptertest.Handler) adaptertest.Driver {
		r, w := io.Pipe()
		out := &termOut{prompt: make(chan struct{}, 1)}
		ctx, cancel := context.WithCancel(context.Background())
		d := &consoleDriver{in: w, out: out, cancel: cancel, done: make(chan error, 1)}
		go func() { d.done <- Run(ctx, Options{Handler: h, In: r, Out: out}) }()
		<-out.prompt
		d.out.mu.Lock()
		d.seen = d.out.buf.Len()
		d.out.mu.Unlock()
		t.Cleanup(func() { cancel(); w.Close() })
		return d
	})
}
