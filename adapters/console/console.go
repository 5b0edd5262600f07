// Package console runs the conversation engine in a terminal: the reply as
// plain text, its buttons numbered; typing a number clicks that button.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// Options configure a terminal session.
type Options struct {
	Handler conversation.Handler
	In      io.Reader
	Out     io.Writer
	Locale  string // hint for the first reply's language; French when empty
	Logger  *slog.Logger
	// Start, if set, is an action id sent before the first line is read
	// (bot check opens the eligibility dialog).
	Start string
	// Done, if set, ends the session after a reply it returns true for
	// (bot check ends when the dialog is cancelled).
	Done func(conversation.Reply) bool
}

const prompt = "> "

// deadliner is an input whose blocked Read can be interrupted: an *os.File
// on a pipe or terminal in non-blocking mode, a net.Conn.
type deadliner interface{ SetReadDeadline(time.Time) error }

// Run reads lines from In until it ends or ctx is done, and prints each
// reply to Out. End of input is a clean exit (nil). When ctx ends, an In
// that has SetReadDeadline is interrupted and Run returns once its reader
// has stopped; any other In is left to its pending Read.
func Run(ctx context.Context, o Options) error {
	rt := conversation.NewRuntime(o.Handler, conversation.RuntimeOptions{Component: "console", Logger: o.Logger})
	rt.Start(ctx)
	lines := make(chan string)
	readErr := make(chan error, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		sc := bufio.NewScanner(o.In)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()
	defer func() {
		if d, ok := o.In.(deadliner); ok && ctx.Err() != nil && d.SetReadDeadline(time.Now()) == nil {
			<-stopped
		}
	}()

	w := bufio.NewWriter(o.Out)
	defer w.Flush()
	lang := conversation.LangOf(o.Locale)
	fmt.Fprintln(w, conversation.LabelsFor(lang).Banner)
	var buttons []conversation.Action
	if o.Start != "" {
		r, _ := rt.Handle(ctx, conversation.Message{Platform: conversation.PlatformConsole, UserID: "local",
			ConversationID: "terminal", Action: o.Start, Locale: o.Locale})
		lang = r.Lang
		buttons = render(w, r)
		if o.Done != nil && o.Done(r) {
			fmt.Fprintln(w, conversation.LabelsFor(lang).Bye)
			return nil
		}
	}
	for {
		fmt.Fprint(w, prompt)
		if err := w.Flush(); err != nil {
			return err
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			fmt.Fprintln(w)
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			fmt.Fprintln(w)
			fmt.Fprintln(w, conversation.LabelsFor(lang).Bye)
			return <-readErr
		}
		m := conversation.Message{Platform: conversation.PlatformConsole, UserID: "local",
			ConversationID: "terminal", Text: line, Locale: o.Locale}
		if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && n >= 1 && n <= len(buttons) {
			b := buttons[n-1]
			if b.URL != "" {
				// A link button sends nothing: show the link to open.
				fmt.Fprintf(w, "%s : %s\n\n", b.Label, b.URL)
				continue
			}
			m.Text, m.Action = "", b.ID
		}
		r, _ := rt.Handle(ctx, m) // a failure is the apology, logged by the runtime
		if r.Lang != "" {
			lang = r.Lang
		}
		buttons = render(w, r)
		if o.Done != nil && o.Done(r) {
			fmt.Fprintln(w, conversation.LabelsFor(lang).Bye)
			return nil
		}
	}
}

// render prints r and returns its buttons in the order they were numbered:
// the question's choices, the suggestions, then the other actions.
func render(w io.Writer, r conversation.Reply) []conversation.Action {
	l := conversation.LabelsFor(r.Lang)
	text := r.PlainText()
	if q := r.Question; q != nil && q.Step > 0 {
		text = strings.Replace(text, q.Prompt, l.StepLabel(q.Step)+". "+q.Prompt, 1)
	}
	fmt.Fprintln(w, text)
	buttons := r.Buttons()
	if len(buttons) > 0 {
		fmt.Fprintln(w)
	}
	for i, b := range buttons {
		if b.URL != "" {
			fmt.Fprintf(w, "  %d. %s (%s)\n", i+1, b.Label, l.Link)
			continue
		}
		fmt.Fprintf(w, "  %d. %s\n", i+1, b.Label)
	}
	fmt.Fprintln(w)
	return buttons
}
