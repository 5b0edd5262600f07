package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store"
	"github.com/qc-ia/conformbot/store/storetest"
)

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		s := open(t, t.TempDir())
		s.now = now
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// Grouped writes on SQLite: the suite, then a clean stop that keeps every
// waiting event, written in one transaction.
func TestGrouped(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		s := open(t, t.TempDir())
		s.now = now
		g := store.GroupEvents(s, store.GroupOptions{Delay: time.Hour, Now: now})
		t.Cleanup(func() { g.Close() })
		return g
	})

	t.Run("close keeps what waits", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		dir := t.TempDir()
		g := store.GroupEvents(open(t, dir), store.GroupOptions{Delay: time.Hour})
		for i := range 100 {
			if err := g.AddReview(ctx, conversation.Review{Kind: conversation.ReviewAnswer, Entry: fmt.Sprint("e", i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.AddUnanswered(ctx, conversation.Unanswered{Text: "[courriel] ?", Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
		s := open(t, dir)
		defer s.Close()
		rs, err := s.Reviews(ctx, time.Time{})
		qs, err2 := s.Unanswered(ctx, 10)
		if err != nil || err2 != nil || len(rs) != 100 || len(qs) != 1 || rs[99].Entry != "e99" {
			t.Fatalf("after restart: %d reviews (%v), %d questions (%v); want 100 in order and 1", len(rs), err, len(qs), err2)
		}
	})
}

// A session survives a restart, and the file never holds the raw key.
func TestRestartAndHashedKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "data") // created by Open
	const key = "slack\x00C0123\x00\x00U-raw-user-id"
	s := open(t, dir)
	sess := conversation.Session{Lang: "en", Dialog: &conversation.DialogState{
		Answers: []conversation.FactAnswer{{Fact: "organisme_public", Value: "no"}}, Verdict: "hors-portee"}}
	if ok, err := s.PutSession(ctx, key, sess, 0, time.Hour); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, _ := s.FirstSeen(ctx, "Ev-raw-event", time.Hour); !ok {
		t.Fatal("FirstSeen = false on a new key")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir)
	defer s.Close()
	got, v, err := s.GetSession(ctx, key)
	if v == 0 || err != nil || got.Dialog == nil || got.Dialog.Verdict != "hors-portee" || got.Lang != "en" {
		t.Fatalf("after restart GetSession = %+v, %v, %v; want the saved session", got, v, err)
	}
	if ok, _ := s.FirstSeen(ctx, "Ev-raw-event", time.Hour); ok {
		t.Error("FirstSeen after restart = true; want false (key kept)")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{DBFile, DBFile + "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue // the WAL may have been checkpointed away
		}
		for _, raw := range []string{"U-raw-user-id", "C0123", "Ev-raw-event"} {
			if bytes.Contains(b, []byte(raw)) {
				t.Errorf("%s holds the raw id %q", f, raw)
			}
		}
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v; want 0600", st.Mode().Perm())
	}
}

func TestOpenBadDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(context.Background(), filepath.Join(file, "data")); err == nil {
		s.Close()
		t.Fatal("Open under a regular file succeeded; want an error")
	}
}

// A database made before versioned migrations keeps its sessions, which
// then take part in the compare-and-set.
func TestMigrateUnversioned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	if ok, err := s.PutSession(ctx, "k", conversation.Session{Lang: "en"}, 0, time.Hour); !ok || err != nil {
		t.Fatal(ok, err)
	}
	s.Close()
	// Back to the first schema, as an older bot left it.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER TABLE sessions DROP COLUMN version`, `DROP TABLE shares`, `DROP TABLE leases`,
		`DROP TABLE jobs`, `DROP TABLE reviews`, `DROP TABLE subscriptions`, `DROP TABLE published`, `DROP TABLE deliveries`,
		`PRAGMA user_version = 0`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	db.Close()
	s = open(t, dir)
	defer s.Close()
	got, v, err := s.GetSession(ctx, "k")
	if v == 0 || err != nil || got.Lang != "en" {
		t.Fatalf("after migration GetSession = %+v, %d, %v; want the old session", got, v, err)
	}
	if ok, _ := s.PutSession(ctx, "k", got, v, time.Hour); !ok {
		t.Error("PutSession at the migrated version refused")
	}
}

// A purged question leaves no byte on disk: neither in the database's free
// pages nor in the WAL, while the store is open and after a clean close.
func TestPurgedTextGoneFromFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	const old, kept = "purgeme-ancienne-question-", "keepme-question-recente-"
	for i := range 300 {
		at := now.Add(-40 * 24 * time.Hour)
		text := fmt.Sprintf("%s%04d Est-ce que je peux utiliser un assistant?", old, i)
		if i%10 == 0 {
			at, text = now.Add(-time.Hour), fmt.Sprintf("%s%04d", kept, i)
		}
		if err := s.AddUnanswered(ctx, conversation.Unanswered{Text: text, Lang: "fr", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if n := countInFiles(t, dir, old); n == 0 {
		t.Fatal("the scan finds nothing before the purge: the test cannot fail")
	}
	if err := s.PurgeExpired(ctx, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := countInFiles(t, dir, old); n != 0 {
		t.Errorf("store open after the purge: %d purged questions still readable in %s", n, dir)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := countInFiles(t, dir, old); n != 0 {
		t.Errorf("after a clean close: %d purged questions still readable in %s", n, dir)
	}
	if n := countInFiles(t, dir, kept); n != 30 {
		t.Errorf("kept questions found %d times, want 30", n)
	}
}

// countInFiles counts occurrences of marker in every file under dir.
func countInFiles(t *testing.T, dir, marker string) int {
	t.Helper()
	n := 0
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(b, []byte(marker))
	}
	return n
}

// Every file the store writes is its owner's alone, even in a folder open
// to all and with a permissive umask; an older file with a wider mode is
// narrowed on open.
func TestFilesOwnerOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if !DirOpenToOthers(dir) {
		t.Error("DirOpenToOthers(0755) = false")
	}
	if err := os.WriteFile(filepath.Join(dir, DBFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, DBFile), 0o644) // whatever the umask
	s := open(t, dir)
	defer s.Close()
	if err := s.AddUnanswered(ctx, conversation.Unanswered{Text: "x", Lang: "fr"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{DBFile, DBFile + "-wal", DBFile + "-shm", KeyFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s mode %o, want 600", name, m)
		}
	}
	fresh := filepath.Join(t.TempDir(), "new")
	s2 := open(t, fresh)
	s2.Close()
	if DirOpenToOthers(fresh) {
		t.Error("a data folder created by Open is open to others")
	}
}

// BenchmarkChatTurnWrites is a chat turn's store work: read the session,
// write it back, keep one review event.
func BenchmarkChatTurnWrites(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("web:s%d", i%64)
		i++
		sess, ver, err := s.GetSession(ctx, key)
		if err != nil {
			b.Fatal(err)
		}
		sess.Lang = "fr"
		if _, err := s.PutSession(ctx, key, sess, ver, time.Hour); err != nil {
			b.Fatal(err)
		}
		if err := s.AddReview(ctx, conversation.Review{Kind: conversation.ReviewAnswer, Entry: "contact", Band: 3}); err != nil {
			b.Fatal(err)
		}
	}
}

// A turn's statements do not watch their context once started (see
// brief), but a context already done starts none.
func TestDoneContextStartsNothing(t *testing.T) {
	t.Parallel()
	s := open(t, t.TempDir())
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.GetSession(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("GetSession(done) = %v; want context.Canceled", err)
	}
	if _, err := s.PutSession(ctx, "k", conversation.Session{Lang: "en"}, 0, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("PutSession(done) = %v; want context.Canceled", err)
	}
	if _, err := s.FirstSeen(ctx, "e", time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("FirstSeen(done) = %v; want context.Canceled", err)
	}
	if err := s.AddEvents(ctx, []conversation.Review{{Kind: conversation.ReviewAnswer, Entry: "x"}}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("AddEvents(done) = %v; want context.Canceled", err)
	}
	if _, v, _ := s.GetSession(context.Background(), "k"); v != 0 {
		t.Error("a session was written under a done context")
	}
	if rs, _ := s.Reviews(context.Background(), time.Time{}); len(rs) != 0 {
		t.Error("an event was written under a done context")
	}
}
