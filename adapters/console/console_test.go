package console

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

// recorder is a fake engine: it records each message and answers with a
// question and a link button.
type recorder struct {
	mu   sync.Mutex
	got  []conversation.Message
	lang string
}

func (r *recorder) Handle(_ context.Context, m conversation.Message) (conversation.Reply, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return conversation.Reply{
		Lang: r.lang,
		Question: &conversation.Question{Fact: "organisme_public", Prompt: "Organisme public ?", Step: 2,
			Choices: []conversation.Action{{ID: "elig:ans:organisme_public:yes", Label: "Oui"}, {ID: "elig:ans:organisme_public:no", Label: "Non"}}},
		Actions: []conversation.Action{{ID: "elig:back", Label: "Retour"}, {Label: "Écrire au MCN", URL: "mailto:x@example.org?subject=Q"}},
	}, nil
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		lang     string
		wantMsgs []conversation.Message // Text and Action only
		wantOut  []string
	}{
		{
			name:     "typed text then numbered buttons",
			in:       "bonjour\n2\n3\n",
			lang:     "fr",
			wantMsgs: []conversation.Message{{Text: "bonjour"}, {Action: "elig:ans:organisme_public:no"}, {Action: "elig:back"}},
			wantOut:  []string{"Question 2. Organisme public ?", "  1. Oui", "  2. Non", "  3. Retour", "  4. Écrire au MCN (lien)", "Au revoir!"},
		},
		{
			name:     "a link button prints its link and sends nothing",
			in:       "allo\n4\n",
			lang:     "fr",
			wantMsgs: []conversation.Message{{Text: "allo"}},
			wantOut:  []string{"Écrire au MCN : mailto:x@example.org?subject=Q"},
		},
		{
			name:     "a number beyond the buttons is text",
			in:       "hello\n9\n",
			lang:     "en",
			wantMsgs: []conversation.Message{{Text: "hello"}, {Text: "9"}},
			wantOut:  []string{"Goodbye!", "(link)"},
		},
		{
			name:    "empty input quits cleanly",
			in:      "",
			lang:    "fr",
			wantOut: []string{"Au revoir!"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{lang: tt.lang}
			var out strings.Builder
			err := Run(context.Background(), Options{Handler: rec, In: strings.NewReader(tt.in), Out: &out})
			if err != nil {
				t.Fatalf("Run = %v; want nil at end of input", err)
			}
			if len(rec.got) != len(tt.wantMsgs) {
				t.Fatalf("engine got %d messages %+v; want %d", len(rec.got), rec.got, len(tt.wantMsgs))
			}
			for i, m := range rec.got {
				w := tt.wantMsgs[i]
				if m.Text != w.Text || m.Action != w.Action || m.Platform != conversation.PlatformConsole || m.UserID == "" {
					t.Errorf("message %d = %+v; want text %q action %q on console", i, m, w.Text, w.Action)
				}
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out.String())
				}
			}
		})
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	defer pw.Close()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{Handler: &recorder{}, In: pr, Out: &strings.Builder{}}) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v; want nil", err)
	}
}

// Cancelling ctx stops Run and its reader even while a Read is blocked on
// a pipe (a terminal behaves the same once non-blocking, see bot chat).
func TestRunStops(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out strings.Builder
	go func() { done <- Run(ctx, Options{Handler: &recorder{}, In: r, Out: &out}) }()
	if _, err := io.WriteString(w, "bonjour\n"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v after cancel, want nil", err)
	}
	// The reader was interrupted through the deadline, not left blocked.
	if _, err := r.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read after Run = %v, want the deadline Run set", err)
	}
}
