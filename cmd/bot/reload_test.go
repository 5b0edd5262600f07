package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store/memstore"
)

// liveOn is bot serve's live content on cfg's FAQ and rules, closed at the
// end of the test.
func liveOn(t *testing.T, cfg Config) *liveContent {
	t.Helper()
	kb, err := loadKB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := loadRules(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := newIndex(cfg, kb)
	if err != nil {
		t.Fatal(err)
	}
	live := newLive(conversation.Options{Store: memstore.New()}, kb, ix, rs)
	t.Cleanup(func() { live.close() })
	return live
}

// An edited answer is served after a reload; content that no longer loads
// is refused and the last good content keeps answering, messages arriving
// during the reload included.
func TestLiveReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := copyYAML("../../faq/data", dir); err != nil {
		t.Fatal(err)
	}
	cfg := Config{FAQDir: dir}
	live := liveOn(t, cfg)
	reply := func(id string) conversation.Reply {
		r, err := live.Handle(context.Background(), conversation.Message{Platform: "web", UserID: "u", ConversationID: "c",
			Action: "faq:" + id})
		if err != nil || r.Answer == nil {
			t.Fatalf("Handle: %+v, %v; want the answer", r, err)
		}
		return r
	}
	ask := func() string { return reply("duree-suspension").Answer.Text }
	notice := "Réponse mise à jour le " + time.Now().Format("2006-01-02")
	if !strings.Contains(ask(), "expérimentation du MCN") {
		t.Fatal("official answer not served at start")
	}
	file := filepath.Join(dir, "08-duree-suspension.yaml")
	orig, _ := os.ReadFile(file)
	edited := strings.Replace(string(orig), "La suspension est active jusqu'à ce que", "RÉPONSE MISE À JOUR : la suspension dure jusqu'à ce que", 1)
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				ask()
			}
		}
	})
	if err := live.reload(cfg); err != nil {
		t.Fatalf("reload of valid content: %v", err)
	}
	close(stop)
	wg.Wait()
	if got := ask(); !strings.Contains(got, "RÉPONSE MISE À JOUR") {
		t.Fatalf("after reload: %q; want the edited answer", got)
	}
	if r := reply("duree-suspension"); !strings.Contains(strings.Join(r.Text, " "), notice) {
		t.Errorf("changed answer's reply %q; want %q", r.Text, notice)
	}
	if r := reply("contact"); strings.Contains(strings.Join(r.Text, " "), "mise à jour") {
		t.Errorf("unchanged answer's reply %q says it was updated", r.Text)
	}
	if ch := live.lastChange; strings.Join(ch.changed, ",") != "duree-suspension" || len(ch.added)+len(ch.removed) != 0 {
		t.Errorf("change %+v; want duree-suspension changed only", ch)
	}
	broken := strings.Replace(edited, "id: duree-suspension", "id: [duree-suspension", 1)
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := live.reload(cfg); err == nil {
		t.Fatal("reload of broken YAML succeeded; want an error")
	}
	if got := ask(); !strings.Contains(got, "RÉPONSE MISE À JOUR") {
		t.Fatalf("after a refused reload: %q; want the last good answer", got)
	}
}

// A burst of file events reloads once, after the quiet time; SIGHUP reloads
// at once; a failed reload is logged and the loop goes on.
func TestRunReloads(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal)
	events := make(chan fsnotify.Event)
	errs := make(chan error)
	calls := make(chan int, 10)
	var n atomic.Int32
	var logs safeBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	done := make(chan struct{})
	go func() {
		defer close(done)
		runReloads(ctx, hup, events, errs, 20*time.Millisecond, log, func() error {
			c := int(n.Add(1))
			calls <- c
			switch c {
			case 2:
				return errors.New("YAML broken at line 3")
			case 3:
				return errUnchanged
			}
			return nil
		})
	}()
	for range 50 {
		events <- fsnotify.Event{Name: "x.yaml", Op: fsnotify.Write}
	}
	if c := <-calls; c != 1 {
		t.Fatalf("call %d; want 1", c)
	}
	hup <- os.Interrupt
	if c := <-calls; c != 2 {
		t.Fatalf("call %d; want 2", c)
	}
	events <- fsnotify.Event{Name: "x.yaml", Op: fsnotify.Create}
	<-calls
	cancel()
	<-done
	if got := n.Load(); got != 3 {
		t.Errorf("%d reloads; want 3 (one burst, one SIGHUP, one event)", got)
	}
	if out := logs.String(); strings.Count(out, "reload refused") != 1 || !strings.Contains(out, "line 3") ||
		!strings.Contains(out, "official text unchanged") {
		t.Errorf("log lacks the refused reload:\n%s", out)
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A dialog in progress when RULES_DIR is reloaded finishes on the rules it
// started with; a new one starts on the reloaded rules.
func TestReloadKeepsDialogRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := copyYAML("../../rules/data", dir); err != nil {
		t.Fatal(err)
	}
	cfg := Config{RulesDir: dir}
	live := liveOn(t, cfg)
	say := func(user, text string) conversation.Reply {
		t.Helper()
		r, err := live.Handle(context.Background(), conversation.Message{Platform: "web", UserID: user, ConversationID: "c", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	say("before", "admissibilité")
	file := filepath.Join(dir, "regles.yaml")
	orig, _ := os.ReadFile(file)
	const old, reworded = "L'outil visé est-il un assistant virtuel", "RÈGLES MODIFIÉES : l'outil visé est-il un assistant virtuel"
	if err := os.WriteFile(file, []byte(strings.Replace(string(orig), old, reworded, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := live.reload(cfg); err != nil {
		t.Fatal(err)
	}
	if r := say("before", "oui"); r.Question == nil || !strings.Contains(r.Question.Prompt, old) {
		t.Errorf("dialog started before the reload asks %+v; want its own rules' question", r.Question)
	}
	say("after", "admissibilité")
	if r := say("after", "oui"); r.Question == nil || !strings.Contains(r.Question.Prompt, reworded) {
		t.Errorf("dialog started after the reload asks %+v; want the reloaded rules' question", r.Question)
	}
}
