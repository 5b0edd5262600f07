package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/pgtest"
	"github.com/qc-ia/conformbot/store"
	"github.com/qc-ia/conformbot/store/storetest"
)

// testURL is a fresh schema with a small pool.
func testURL(t *testing.T) string {
	t.Helper()
	return pgtest.URL(t) + "&pool_max_conns=8"
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

// Grouped writes on PostgreSQL: the suite, and a group of reviews and
// questions in one transaction.
func TestGrouped(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.Store {
		s := open(t, testURL(t))
		s.now = now
		g := store.GroupEvents(s, store.GroupOptions{Delay: time.Hour, Now: now})
		t.Cleanup(func() { _ = g.Flush(context.Background()) }) // before open's Close
		return g
	})
	t.Run("one group", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := open(t, testURL(t))
		t0 := time.Now()
		var rs []conversation.Review
		for i := range 50 {
			rs = append(rs, conversation.Review{Kind: conversation.ReviewOffered, Entry: fmt.Sprint("e", i), Offer: "o", At: t0.Add(time.Duration(i))})
		}
		if err := s.AddEvents(ctx, rs, []conversation.Unanswered{{Text: "q", Lang: "en", At: t0}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Reviews(ctx, t0)
		if err != nil || len(got) != 50 || got[49].Entry != "e49" {
			t.Fatalf("Reviews = %d, %v; want the 50 in order", len(got), err)
		}
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
