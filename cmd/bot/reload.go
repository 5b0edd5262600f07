package main

import (
	"context"

	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/rules"
)

// reloadQuiet is how long the content directories must stay still before a
// reload: an editor's save or a cp -r is many events, and loads once.
const reloadQuiet = 500 * time.Millisecond

// loaded is one version of the content and the engine built on it.
type loaded struct {
	eng *conversation.Engine
	kb  *faq.KB
	ix  *index.Index
	rs  *rules.RuleSet
	// updated holds, per entry, when a reload in this process changed or
	// added its official answer: replies quoting it say so for noticeFor.
	updated map[string]time.Time

	mu     sync.RWMutex // held for reading by each message; for writing to close
	closed bool
}

// liveContent is the Handler of bot serve: every message goes to the
// current content, and reload swaps it for a new one as a whole (FAQ,
// index, model and rules together), or not at all.
type liveContent struct {
	opts conversation.Options // all but KB, Index and Rules
	cur  atomic.Pointer[loaded]

	reloading  sync.Mutex
	retired    sync.WaitGroup // closing of replaced content
	lastChange kbChange       // what the last reload changed, under reloading

	rulesMu   sync.RWMutex
	rulesSeen []*rules.RuleSet // the rule sets loaded, oldest first, at most keepRules
}

// keepRules bounds the rule sets kept for the dialogs started on them: a
// dialog lives at most SESSION_TTL idle, and few reloads happen meanwhile.
const keepRules = 8

// rememberRules keeps rs for the dialogs that start on it.
func (l *liveContent) rememberRules(rs *rules.RuleSet) {
	if rs == nil {
		return
	}
	l.rulesMu.Lock()
	defer l.rulesMu.Unlock()
	if slices.ContainsFunc(l.rulesSeen, func(x *rules.RuleSet) bool { return x.Digest == rs.Digest }) {
		return
	}
	l.rulesSeen = append(l.rulesSeen, rs)
	if len(l.rulesSeen) > keepRules {
		l.rulesSeen = l.rulesSeen[1:]
	}
}

// priorRules is conversation.Options.PriorRules: a dialog started before a
// reload finishes on its rules.
func (l *liveContent) priorRules(digest string) *rules.RuleSet {
	l.rulesMu.RLock()
	defer l.rulesMu.RUnlock()
	for _, rs := range l.rulesSeen {
		if rs.Digest == digest {
			return rs
		}
	}
	return nil
}

func newLive(opts conversation.Options, kb *faq.KB, ix *index.Index, rs *rules.RuleSet) *liveContent {
	l := &liveContent{opts: opts}
	l.cur.Store(l.build(kb, ix, rs))
	return l
}

func (l *liveContent) build(kb *faq.KB, ix *index.Index, rs *rules.RuleSet) *loaded {
	o := l.opts
	o.KB, o.Index, o.Rules = kb, ix, rs
	o.PriorRules = l.priorRules
	l.rememberRules(rs)
	return &loaded{eng: conversation.New(o), kb: kb, ix: ix, rs: rs}
}

func (l *liveContent) engine() *conversation.Engine { return l.cur.Load().eng }

// Handle implements conversation.Handler on the content current when the
// message arrives; content replaced meanwhile stays open until it is done.
func (l *liveContent) Handle(ctx context.Context, m conversation.Message) (conversation.Reply, error) {
	for {
		c := l.cur.Load()
		c.mu.RLock()
		if c.closed {
			c.mu.RUnlock()
			continue
		}
		r, err := c.eng.Handle(ctx, m)
		c.mu.RUnlock()
		if err == nil && r.Answer != nil {
			if at, ok := c.updated[r.Answer.EntryID]; ok && time.Since(at) < noticeFor {
				r.Text = append(r.Text, updatedNotice(r.Lang, at))
			}
		}
		return r, err
	}
}

// reload loads FAQ_DIR and RULES_DIR (or the embedded content) and checks
// them as bot serve does at start; on any error the running content stays.
func (l *liveContent) reload(cfg Config) error {
	l.reloading.Lock()
	defer l.reloading.Unlock()
	kb, err := loadKB(cfg)
	if err != nil {
		return fmt.Errorf("FAQ : %w", err)
	}
	rs, err := loadRules(cfg)
	if err != nil {
		return fmt.Errorf("règles / rules: %w", err)
	}
	if missing := missingCitations(rs, kb, "la FAQ chargée", "the loaded FAQ"); len(missing) > 0 {
		return fmt.Errorf("règles et FAQ incompatibles / rules and FAQ do not match:\n%s", strings.Join(missing, "\n"))
	}
	ix, err := newIndex(cfg, kb)
	if err != nil {
		return fmt.Errorf("index : %w", err)
	}
	next := l.build(kb, ix, rs)
	prev := l.cur.Load()
	ch := diffKB(prev.kb, kb)
	next.updated = maps.Clone(prev.updated)
	if next.updated == nil {
		next.updated = map[string]time.Time{}
	}
	now := time.Now()
	for _, id := range append(slices.Clone(ch.added), ch.changed...) {
		next.updated[id] = now
	}
	old := l.cur.Swap(next)
	l.retired.Go(func() { old.close() })
	l.lastChange = ch
	return nil
}

// noticeFor is how long an answer whose official text changed says so.
const noticeFor = 30 * 24 * time.Hour

func updatedNotice(lang string, at time.Time) string {
	if lang == conversation.LangEN {
		return "Answer updated on " + at.Format("2006-01-02") + "."
	}
	return "Réponse mise à jour le " + at.Format("2006-01-02") + "."
}

// kbChange is what a reload changed in the FAQ, by entry id.
type kbChange struct {
	added, removed, changed []string
	dateFrom, dateTo        time.Time
}

func (c kbChange) empty() bool {
	return len(c.added)+len(c.removed)+len(c.changed) == 0 && c.dateFrom.Equal(c.dateTo)
}

// diffKB compares the official content only: questions and answers, and
// the document's date (phrasings and examples are not official text).
func diffKB(a, b *faq.KB) kbChange {
	ch := kbChange{dateFrom: a.Doc.Date, dateTo: b.Doc.Date}
	old := map[string]faq.Entry{}
	for _, e := range a.Entries {
		old[e.ID] = e
	}
	seen := map[string]bool{}
	for _, e := range b.Entries {
		seen[e.ID] = true
		o, ok := old[e.ID]
		switch {
		case !ok:
			ch.added = append(ch.added, e.ID)
		case o.Answer != e.Answer || o.Question != e.Question:
			ch.changed = append(ch.changed, e.ID)
		}
	}
	for _, e := range a.Entries {
		if !seen[e.ID] {
			ch.removed = append(ch.removed, e.ID)
		}
	}
	return ch
}

func (c *loaded) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.ix.Close()
}

// close waits for replaced content and closes the current one.
func (l *liveContent) close() error {
	l.reloading.Lock()
	defer l.reloading.Unlock()
	l.retired.Wait()
	return l.cur.Load().close()
}

// watchContent reloads on SIGHUP and when FAQ_DIR or RULES_DIR change on
// disk, once the directories have been quiet for reloadQuiet. It returns
// when ctx ends.
func watchContent(ctx context.Context, cfg Config, log *slog.Logger, reload func() error) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	var events <-chan fsnotify.Event
	var errs <-chan error
	if dirs := contentDirs(cfg); len(dirs) > 0 {
		w, err := fsnotify.NewWatcher()
		if err != nil {
			log.Warn("cannot watch the content directories; reload with SIGHUP", "err", err)
		} else {
			defer w.Close()
			for _, d := range dirs {
				if err := w.Add(d); err != nil {
					log.Warn("cannot watch a content directory; reload with SIGHUP", "dir", d, "err", err)
				}
			}
			log.Info("watching the content directories: a change reloads them", "dirs", dirs)
			events, errs = w.Events, w.Errors
		}
	}
	runReloads(ctx, hup, events, errs, reloadQuiet, log, reload)
}

func contentDirs(cfg Config) []string {
	var out []string
	for _, d := range []string{cfg.FAQDir, cfg.RulesDir} {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// runReloads calls reload for each SIGHUP, and once per burst of file
// events that ends with quiet time without any.
func runReloads(ctx context.Context, hup <-chan os.Signal, events <-chan fsnotify.Event, errs <-chan error,
	quiet time.Duration, log *slog.Logger, reload func() error) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	do := func(why string) {
		start := time.Now()
		if err := reload(); err != nil {
			if errors.Is(err, errUnchanged) {
				log.Info("content reloaded, official text unchanged", "trigger", why)
				return
			}
			log.Error("content reload refused; the running content stays", "trigger", why, "err", err)
			return
		}
		log.Info("content reloaded", "trigger", why, "took", time.Since(start).Round(time.Millisecond))
	}
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-hup:
			do("SIGHUP")
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			// Editors' temporary files and our own .tmp renames still end in
			// an event on the real file; every event restarts the wait.
			if ev.Op == fsnotify.Chmod {
				continue
			}
			timer.Reset(quiet)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			log.Warn("content watch error", "err", err)
		case <-timer.C:
			do("files changed")
		}
	}
}

// errUnchanged is not a failure: the reload succeeded and no official
// answer, question or date changed.
var errUnchanged = errors.New("official text unchanged")

// reloadAndReport reloads and logs what changed in the official text.
func (l *liveContent) reloadAndReport(cfg Config, log *slog.Logger) error {
	if err := l.reload(cfg); err != nil {
		return err
	}
	l.reloading.Lock()
	ch := l.lastChange
	l.reloading.Unlock()
	if ch.empty() {
		return errUnchanged
	}
	log.Info("official content changed", "added", ch.added, "removed", ch.removed, "answer_changed", ch.changed,
		"document_date", ch.dateTo.Format("2006-01-02"), "previous_date", ch.dateFrom.Format("2006-01-02"))
	return nil
}
