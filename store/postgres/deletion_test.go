package postgres

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/pgtest"
)

// relationFiles are the files on disk of table, its TOAST table and its
// indexes (every 1 GB segment), read from the server's own catalog; ok is
// false when the data directory cannot be read from here (a remote server).
func relationFiles(t *testing.T, s *Store, table string) (files []string, ok bool) {
	t.Helper()
	ctx := context.Background()
	var dataDir string
	if err := s.pool.QueryRow(ctx, `SELECT current_setting('data_directory')`).Scan(&dataDir); err != nil {
		t.Logf("data_directory: %v", err)
		return nil, false
	}
	rows, err := s.pool.Query(ctx, `
		SELECT pg_relation_filepath(c.oid) FROM pg_class c
		WHERE c.oid = $1::regclass
		   OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass)
		   OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = $1::regclass
		                 OR indrelid = (SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass))`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel string
		if err := rows.Scan(&rel); err != nil {
			t.Fatal(err)
		}
		base := filepath.Join(dataDir, rel)
		segs, _ := filepath.Glob(base + ".*") // segments .1, .2… and the _fsm/_vm forks are separate names
		for _, f := range append([]string{base}, segs...) {
			if _, err := os.Stat(f); err != nil {
				t.Logf("cannot read the server's files here (%v)", err)
				return nil, false
			}
			files = append(files, f)
		}
	}
	return files, rows.Err() == nil
}

// countOnDisk counts marker in the table's files once the server has
// written its buffers out (CHECKPOINT).
func countOnDisk(t *testing.T, s *Store, table, marker string) (int, bool) {
	t.Helper()
	if _, err := s.pool.Exec(context.Background(), `CHECKPOINT`); err != nil {
		t.Logf("CHECKPOINT: %v", err)
		return 0, false
	}
	files, ok := relationFiles(t, s, table)
	if !ok {
		return 0, false
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Logf("%v", err)
			return 0, false
		}
		n += bytes.Count(b, []byte(marker))
	}
	return n, true
}

// Deleted means deleted in PostgreSQL too, as far as the database's own
// files go: after a purge, a purged question is not in the files of the
// unanswered table (heap, TOAST, indexes), by PurgeExpired and by PurgeDue,
// and the kept ones are. The control shows the scan sees dead rows: a bare
// DELETE leaves its rows readable. In a database of its own: other tests'
// open transactions would make VACUUM keep the rows they could see (which
// is why, in production, the rewrite is repeated a purge period later).
func TestPurgedTextGoneFromTableFiles(t *testing.T) {
	t.Parallel()
	for _, due := range []bool{false, true} {
		// One after the other: a CREATE DATABASE running elsewhere holds
		// back every database's horizon while it copies the template.
		t.Run(fmt.Sprintf("PurgeDue=%v", due), func(t *testing.T) {
			ctx := context.Background()
			s := open(t, pgtest.Database(t))
			// Nor may autovacuum: its ANALYZE holds a snapshot in the
			// database. (In production that is why the rewrite is repeated.)
			if _, err := s.pool.Exec(ctx, `DO $$DECLARE r record; BEGIN
				FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
					EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = off)', r.tablename);
				END LOOP; END$$`); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			s.now = func() time.Time { return now }
			const old, kept, control = "purgeme-ancienne-question-", "keepme-question-recente-", "control-deleted-by-hand-"
			add := func(text string, at time.Time) {
				if err := s.AddUnanswered(ctx, conversation.Unanswered{Text: text, Lang: "fr", At: at}); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 300 {
				if i%10 == 0 {
					add(fmt.Sprintf("%s%04d", kept, i), now.Add(-time.Hour))
				} else {
					add(fmt.Sprintf("%s%04d Est-ce que je peux utiliser un assistant?", old, i), now.Add(-40*24*time.Hour))
				}
			}
			for i := range 20 {
				add(fmt.Sprintf("%s%04d", control, i), now.Add(-time.Minute))
			}
			before, ok := countOnDisk(t, s, "unanswered", old)
			if !ok {
				t.Skip("the server's data directory is not readable from this test (a remote server, or no CHECKPOINT right)")
			}
			if before != 270 {
				t.Fatalf("found %d purge-bound questions on disk before the purge, want 270: the scan cannot be trusted", before)
			}
			if _, err := s.pool.Exec(ctx, `DELETE FROM unanswered WHERE text LIKE $1`, control+"%"); err != nil {
				t.Fatal(err)
			}
			if n, _ := countOnDisk(t, s, "unanswered", control); n != 20 {
				t.Fatalf("a bare DELETE left %d of 20 rows readable: want all 20, else this test proves nothing", n)
			}
			const retention, every = 30 * 24 * time.Hour, 5 * time.Minute
			if due {
				if ran, err := s.PurgeDue(ctx, retention, every); !ran || err != nil {
					t.Fatalf("PurgeDue = %v, %v", ran, err)
				}
			} else if err := s.PurgeExpired(ctx, retention); err != nil {
				t.Fatal(err)
			}
			// A rewrite must copy the rows a transaction still running
			// anywhere on the server could see: bot serve's next purges
			// rewrite again until one finds no transaction as old as the
			// delete (the compact mark is then gone).
			n, _ := countOnDisk(t, s, "unanswered", old)
			t.Logf("purged questions in the table's files after the purge: %d", n)
			for i := 0; compactDue(t, s); i++ {
				if i == 1000 {
					t.Fatal("the compact mark is still there after 1,000 purges")
				}
				now = now.Add(every)
				if ran, err := s.PurgeDue(ctx, retention, every); !ran || err != nil {
					t.Fatalf("PurgeDue a period later = %v, %v", ran, err)
				}
			}
			if n, _ := countOnDisk(t, s, "unanswered", old); n != 0 {
				t.Errorf("after the purge, %d of 270 purged questions are still readable in the table's files", n)
			}
			if n, _ := countOnDisk(t, s, "unanswered", kept); n != 30 {
				t.Errorf("kept questions found %d times in the table's files, want 30", n)
			}
			if n, _ := countOnDisk(t, s, "unanswered", control); n != 0 {
				t.Errorf("the rewrite kept %d dead rows", n)
			}
			// Not a promise (README): the WAL keeps its copies until its
			// segments are recycled, backups until they expire.
			if n, ok := countInWAL(t, s, old); ok {
				t.Logf("purged questions still in pg_wal (shared by every test schema): %d copies", n)
			}
			got, err := s.Unanswered(ctx, 1000)
			if err != nil || len(got) != 30 {
				t.Errorf("Unanswered after the purge: %d questions, %v; want the 30 kept", len(got), err)
			}
		})
	}
}

// compactDue says whether a rewrite of unanswered is still due.
func compactDue(t *testing.T, s *Store) bool {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM jobs WHERE name = 'compact'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// The rewrite runs only when a purge deleted questions, and until one runs
// with no older transaction left; then it stops: a quiet deployment does
// not take the table's lock for nothing.
func TestCompactionSchedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t, testURL(t))
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := s.AddUnanswered(ctx, conversation.Unanswered{Text: "question", Lang: "fr", At: start}); err != nil {
		t.Fatal(err)
	}
	node := func() (n uint32) {
		if err := s.pool.QueryRow(ctx, `SELECT relfilenode FROM pg_class WHERE oid = 'unanswered'::regclass`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const retention, every = time.Hour, 5 * time.Minute
	at := start
	purge := func() (rewrote bool) {
		t.Helper()
		s.now = func() time.Time { return at }
		before := node()
		if ran, err := s.PurgeDue(ctx, retention, every); !ran || err != nil {
			t.Fatalf("PurgeDue at %v = %v, %v", at, ran, err)
		}
		at = at.Add(every)
		return node() != before
	}
	if purge() {
		t.Error("a purge that deleted nothing rewrote the table")
	}
	at = start.Add(retention + time.Minute)
	if !purge() {
		t.Error("a purge that deleted a question did not rewrite the table")
	}
	for i := 0; compactDue(t, s); i++ {
		if i == 1000 {
			t.Fatal("the compact mark is still there after 1,000 purges")
		}
		if !purge() {
			t.Fatal("a rewrite was due but the purge did not rewrite")
		}
	}
	for range 2 {
		if purge() {
			t.Error("rewritten again once no rewrite was due")
		}
	}
}

// countInWAL counts marker in the server's WAL segments.
func countInWAL(t *testing.T, s *Store, marker string) (int, bool) {
	t.Helper()
	var dataDir string
	if err := s.pool.QueryRow(context.Background(), `SELECT current_setting('data_directory')`).Scan(&dataDir); err != nil {
		return 0, false
	}
	segs, err := filepath.Glob(filepath.Join(dataDir, "pg_wal", "0*"))
	if err != nil || len(segs) == 0 {
		return 0, false
	}
	n := 0
	for _, f := range segs {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, false
		}
		n += bytes.Count(b, []byte(marker))
	}
	return n, true
}
