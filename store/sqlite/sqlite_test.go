package sqlite

import (
	"bytes"
	"context"
	"database/sql"
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
		`DROP TABLE jobs`, `PRAGMA user_version = 0`} {
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
