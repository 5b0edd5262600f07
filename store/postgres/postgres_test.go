package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/qc-ia/conformbot/store"
	"github.com/qc-ia/conformbot/store/storetest"
)

// EnvTestURL names the server the tests use; .ci/run starts a throwaway
// cluster and sets it.
const EnvTestURL = "TEST_DATABASE_URL"

// testURL returns a DSN for a fresh schema of the test server, dropped at
// the end of the test, or skips when there is no server.
func testURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv(EnvTestURL)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://bot@127.0.0.1:5432/postgres?sslmode=disable); .ci/run starts a throwaway server", EnvTestURL)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Skipf("PostgreSQL tests skipped: no server at %s: %v", EnvTestURL, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", "8")
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testURL(t) // skips here, once, without a server
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		s := open(t, testURL(t))
		s.now = now
		return s
	})
}

// Replicas starting at once apply each migration once and agree on the
// hash key, so a session written by one is found by another.
func TestConcurrentStart(t *testing.T) {
	t.Parallel()
	dsn := testURL(t)
	const n = 6
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	ctx := context.Background()
	for i, s := range stores {
		if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
			t.Errorf("replica %d: schema version %d, %v; want %d", i, v, err, len(migrations))
		}
		if s.HashKey("k") != stores[0].HashKey("k") {
			t.Errorf("replica %d hashes keys differently", i)
		}
	}
	var count int
	if err := stores[0].pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&count); err != nil || count != len(migrations) {
		t.Errorf("%d rows in schema_migrations, %v; want %d", count, err, len(migrations))
	}
	if ok, _ := stores[1].FirstSeen(ctx, "evt", time.Hour); !ok {
		t.Fatal("FirstSeen on a new key = false")
	}
	if ok, _ := stores[2].FirstSeen(ctx, "evt", time.Hour); ok {
		t.Error("another replica saw the event as new")
	}
	// No raw key in the database.
	var raw int
	if err := stores[0].pool.QueryRow(ctx, `SELECT count(*) FROM seen WHERE key = 'evt'`).Scan(&raw); err != nil || raw != 0 {
		t.Errorf("the raw event id is stored (%d rows, %v)", raw, err)
	}
}

// Two replicas purging at once: the advisory lock lets one through.
func TestPurgeOnce(t *testing.T) {
	t.Parallel()
	dsn := testURL(t)
	a, b := open(t, dsn), open(t, dsn)
	ctx := context.Background()
	var wg sync.WaitGroup
	ran := make([]bool, 2)
	for i, s := range []*Store{a, b} {
		wg.Go(func() {
			var err error
			if ran[i], err = s.PurgeDue(ctx, time.Hour, 5*time.Minute); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ran[0] == ran[1] {
		t.Errorf("purges ran: %v; want exactly one", ran)
	}
	if r, _ := a.PurgeDue(ctx, time.Hour, 5*time.Minute); r {
		t.Error("purged again right after a purge")
	}
}

func TestOpenBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"postgres://bot@127.0.0.1:1/none?connect_timeout=2", "::not a url"} {
		if s, err := Open(context.Background(), u); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded; want an error", u)
		}
	}
}
