// Package postgres is the conversation store for several replicas: one
// PostgreSQL database (github.com/jackc/pgx/v5) shared by every `bot serve`.
// Session writes are compare-and-set on a version, de-duplication is one
// insert-if-absent, schema migrations and the purge run under advisory
// locks, and leases elect the one replica that holds a gateway. As in the
// SQLite store, keys (sessions, events, share tokens) are stored as an
// HMAC-SHA256 under a random key, here kept in the database so that every
// replica hashes alike; no platform id is stored in clear.
package postgres

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/keyed"
	"github.com/qc-ia/conformbot/store"
)

var (
	_ store.Store       = (*Store)(nil)
	_ store.EventWriter = (*Store)(nil)
)

// migrations are applied in order, each once, recorded in
// schema_migrations. Never edit one that shipped: add the next.
var migrations = []string{
	`CREATE TABLE sessions (key text PRIMARY KEY, data text NOT NULL, version bigint NOT NULL, expires bigint NOT NULL);
	CREATE INDEX sessions_expires ON sessions (expires);
	CREATE TABLE seen (key text PRIMARY KEY, expires bigint NOT NULL);
	CREATE INDEX seen_expires ON seen (expires);
	CREATE TABLE feedback (id bigserial PRIMARY KEY, entry text NOT NULL, up boolean NOT NULL, at bigint NOT NULL);
	CREATE INDEX feedback_at ON feedback (at);
	CREATE TABLE unanswered (id bigserial PRIMARY KEY, text text NOT NULL, lang text NOT NULL, at bigint NOT NULL);
	CREATE INDEX unanswered_at ON unanswered (at);
	CREATE TABLE shares (token text PRIMARY KEY, data bytea NOT NULL, expires bigint NOT NULL);
	CREATE TABLE leases (name text PRIMARY KEY, holder text NOT NULL, expires bigint NOT NULL);
	CREATE TABLE jobs (name text PRIMARY KEY, last_run bigint NOT NULL);
	CREATE TABLE settings (name text PRIMARY KEY, value bytea NOT NULL);`,
	`CREATE TABLE reviews (id bigserial PRIMARY KEY, kind text NOT NULL, entry text NOT NULL, band integer NOT NULL, reason text NOT NULL, at bigint NOT NULL);
	CREATE INDEX reviews_at ON reviews (at);`,
	`CREATE TABLE subscriptions (platform text NOT NULL, channel text NOT NULL, address text NOT NULL, lang text NOT NULL,
		failures integer NOT NULL DEFAULT 0, PRIMARY KEY (platform, channel));
	CREATE TABLE published (id integer PRIMARY KEY CHECK (id = 1), version text NOT NULL, summary bytea NOT NULL);
	CREATE TABLE deliveries (id bigserial PRIMARY KEY, platform text NOT NULL, channel text NOT NULL, body bytea NOT NULL,
		due bigint NOT NULL, claimed bigint NOT NULL DEFAULT 0, at bigint NOT NULL);
	CREATE INDEX deliveries_due ON deliveries (due);`,
	`ALTER TABLE reviews ADD COLUMN offer text NOT NULL DEFAULT '';`,
}

// Advisory lock names, scoped by schema so that deployments sharing one
// database in different schemas do not wait on each other.
const (
	lockMigrate = "conformbot:migrate:"
	lockPurge   = "conformbot:purge:"
	lockPublish = "conformbot:publish:"
)

// Store is a conversation.Store in one PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
	key  *keyed.Hash
	now  func() time.Time
}

// Open connects to the database at url (postgres://user:pass@host/db?...;
// pool_max_conns and search_path are honoured), applies missing migrations
// and loads the hash key.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// An unreachable server must fail the start, not hang it.
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, now: time.Now}
	if err := s.init(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	// The first replica's key wins; the others read it.
	if _, err := s.pool.Exec(ctx, `INSERT INTO settings(name, value) VALUES('hash_key', $1) ON CONFLICT (name) DO NOTHING`, key); err != nil {
		return fmt.Errorf("hash key: %w", err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE name = 'hash_key'`).Scan(&key); err != nil {
		return fmt.Errorf("hash key: %w", err)
	}
	s.key = keyed.New(key)
	return nil
}

// migrate applies the missing migrations in one transaction under an
// advisory lock: replicas starting together wait for the first, then find
// nothing left to do.
func (s *Store) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1 || current_schema()))`, lockMigrate); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
			return err
		}
		if v > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this program's (%d): upgrade the bot", v, len(migrations))
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.Exec(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations(version) VALUES($1)`, i+1); err != nil {
				return err
			}
		}
		return nil
	})
}

// SchemaVersion is the last migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// HashKey is the keyed hash under which key is stored.
func (s *Store) HashKey(key string) string {
	return s.key.Hex(key, 0)
}

// GetSession implements conversation.Store.
func (s *Store) GetSession(ctx context.Context, key string) (conversation.Session, int64, error) {
	var data string
	var version int64
	err := s.pool.QueryRow(ctx, `SELECT data, version FROM sessions WHERE key = $1 AND expires > $2`,
		s.HashKey(key), s.now().UnixNano()).Scan(&data, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return conversation.Session{}, 0, nil
	}
	if err != nil {
		return conversation.Session{}, 0, fmt.Errorf("get session: %w", err)
	}
	var sess conversation.Session
	if err := json.Unmarshal([]byte(data), &sess); err != nil {
		return conversation.Session{}, version, nil // an incompatible version's session: start afresh
	}
	return sess, version, nil
}

// PutSession implements conversation.Store: one statement, atomic under
// READ COMMITTED (a concurrent insert of the same key makes this one
// re-check the WHERE on the committed row). A new row starts at a random
// version (see store.NewVersion).
func (s *Store) PutSession(ctx context.Context, key string, sess conversation.Session, version int64, ttl time.Duration) (bool, error) {
	data, err := json.Marshal(sess)
	if err != nil {
		return false, fmt.Errorf("put session: %w", err)
	}
	now := s.now()
	tag, err := s.pool.Exec(ctx, `INSERT INTO sessions(key, data, version, expires) VALUES($1, $2, $6, $3)
		ON CONFLICT (key) DO UPDATE SET data = excluded.data, expires = excluded.expires, version = sessions.version + 1
		WHERE sessions.version = $4 OR ($4 = 0 AND sessions.expires <= $5)`,
		s.HashKey(key), string(data), now.Add(ttl).UnixNano(), version, now.UnixNano(), store.NewVersion())
	if err != nil {
		return false, fmt.Errorf("put session: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// FirstSeen implements conversation.Deduper: one insert-if-absent shared by
// every replica (an expired key counts as new).
func (s *Store) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	now := s.now()
	tag, err := s.pool.Exec(ctx, `INSERT INTO seen(key, expires) VALUES($1, $2)
		ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE seen.expires <= $3`,
		s.HashKey(key), now.Add(ttl).UnixNano(), now.UnixNano())
	if err != nil {
		return false, fmt.Errorf("first seen: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// AddFeedback implements conversation.Store.
func (s *Store) AddFeedback(ctx context.Context, entryID string, up bool) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO feedback(entry, up, at) VALUES($1, $2, $3)`, entryID, up, s.now().UnixNano()); err != nil {
		return fmt.Errorf("add feedback: %w", err)
	}
	return nil
}

// FeedbackCounts implements conversation.Store.
func (s *Store) FeedbackCounts(ctx context.Context) ([]conversation.FeedbackCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT entry, count(*) FILTER (WHERE up), count(*) FILTER (WHERE NOT up)
		FROM feedback GROUP BY entry ORDER BY entry`)
	if err != nil {
		return nil, fmt.Errorf("feedback counts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversation.FeedbackCount, error) {
		var c conversation.FeedbackCount
		err := r.Scan(&c.EntryID, &c.Up, &c.Down)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("feedback counts: %w", err)
	}
	return out, nil
}

// AddUnanswered implements conversation.Store.
func (s *Store) AddUnanswered(ctx context.Context, q conversation.Unanswered) error {
	at := q.At
	if at.IsZero() {
		at = s.now()
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO unanswered(text, lang, at) VALUES($1, $2, $3)`, q.Text, q.Lang, at.UnixNano()); err != nil {
		return fmt.Errorf("add unanswered: %w", err)
	}
	return nil
}

// AddReview implements conversation.Store.
func (s *Store) AddReview(ctx context.Context, r conversation.Review) error {
	at := r.At
	if at.IsZero() {
		at = s.now()
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO reviews(kind, entry, band, reason, offer, at) VALUES($1, $2, $3, $4, $5, $6)`, r.Kind, r.Entry, r.Band, r.Reason, r.Offer, at.UnixNano()); err != nil {
		return fmt.Errorf("add review: %w", err)
	}
	return nil
}

// AddEvents implements store.EventWriter: one transaction, one round trip
// for the inserts.
func (s *Store) AddEvents(ctx context.Context, reviews []conversation.Review, unanswered []conversation.Unanswered) error {
	now := s.now()
	stamp := func(t time.Time) int64 {
		if t.IsZero() {
			t = now
		}
		return t.UnixNano()
	}
	var b pgx.Batch
	for _, r := range reviews {
		b.Queue(`INSERT INTO reviews(kind, entry, band, reason, offer, at) VALUES($1, $2, $3, $4, $5, $6)`, r.Kind, r.Entry, r.Band, r.Reason, r.Offer, stamp(r.At))
	}
	for _, q := range unanswered {
		b.Queue(`INSERT INTO unanswered(text, lang, at) VALUES($1, $2, $3)`, q.Text, q.Lang, stamp(q.At))
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, &b).Close() })
	if err != nil {
		return fmt.Errorf("add events: %w", err)
	}
	return nil
}

// Reviews implements conversation.Store.
func (s *Store) Reviews(ctx context.Context, since time.Time) ([]conversation.Review, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, entry, band, reason, offer, at FROM reviews WHERE at >= $1 ORDER BY at, id`, since.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversation.Review, error) {
		var v conversation.Review
		var at int64
		err := r.Scan(&v.Kind, &v.Entry, &v.Band, &v.Reason, &v.Offer, &at)
		v.At = time.Unix(0, at)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	return out, nil
}

// Unanswered implements conversation.Store.
func (s *Store) Unanswered(ctx context.Context, limit int) ([]conversation.Unanswered, error) {
	rows, err := s.pool.Query(ctx, `SELECT text, lang, at FROM unanswered ORDER BY at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("unanswered: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversation.Unanswered, error) {
		var q conversation.Unanswered
		var at int64
		err := r.Scan(&q.Text, &q.Lang, &at)
		q.At = time.Unix(0, at)
		return q, err
	})
	if err != nil {
		return nil, fmt.Errorf("unanswered: %w", err)
	}
	return out, nil
}

// PurgeExpired implements conversation.Store.
func (s *Store) PurgeExpired(ctx context.Context, retention time.Duration) error {
	var texts int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
		now := s.now()
		if texts, err = purge(ctx, tx, now, retention); err != nil {
			return err
		}
		return markCompact(ctx, tx, texts, now)
	})
	if err != nil {
		return err
	}
	if texts == 0 {
		return nil
	}
	return s.compact(ctx)
}

// markCompact records, in jobs, the transaction of the last purge that
// deleted questions: PurgeDue, whichever replica runs it, repeats the
// rewrite until one runs when every transaction as old as that one has
// ended, so that none could still see (and so keep) the deleted rows.
func markCompact(ctx context.Context, tx pgx.Tx, texts int64, _ time.Time) error {
	if texts == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO jobs(name, last_run) VALUES('compact', pg_current_xact_id()::text::bigint)
		ON CONFLICT (name) DO UPDATE SET last_run = excluded.last_run`)
	return err
}

// compactLockTimeout bounds how long a compaction waits for the table: a
// question being stored holds it for milliseconds; a longer wait means
// something else (a backup, a migration) and the next purge tries again.
const compactLockTimeout = "5s"

// compact rewrites the unanswered table. A DELETE only marks rows dead,
// and even VACUUM leaves most of their bytes in the table's files; VACUUM
// FULL writes the live rows to new files and drops the old ones, so a
// purged question is no longer in the table's files. It must still copy a
// row that a transaction open since before the delete could see, which is
// why PurgeDue repeats it a purge period later (WAL segments and backups
// keep their copies until they expire: README). The table holds at most
// DATA_RETENTION of questions, so the rewrite, and its exclusive lock, last
// milliseconds.
func (s *Store) compact(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("purge: compact: %w", err)
	}
	defer conn.Release()
	// VACUUM cannot run in a transaction, so the timeout is the session's,
	// reset before the connection goes back to the pool.
	if _, err := conn.Exec(ctx, `SET lock_timeout = '`+compactLockTimeout+`'`); err != nil {
		return fmt.Errorf("purge: compact: %w", err)
	}
	_, err = conn.Exec(ctx, `VACUUM FULL unanswered`)
	if _, rerr := conn.Exec(context.WithoutCancel(ctx), `RESET lock_timeout`); rerr != nil {
		conn.Conn().Close(context.WithoutCancel(ctx)) // not back to the pool with the setting
	}
	if err != nil {
		return fmt.Errorf("purge: VACUUM FULL unanswered failed, so purged questions stay in the table's files until the next purge succeeds: %w", err)
	}
	return nil
}

// purge deletes what has expired and says how many unanswered questions
// (the only text employees typed) it deleted.
func purge(ctx context.Context, tx pgx.Tx, now time.Time, retention time.Duration) (texts int64, _ error) {
	cut := now.Add(-retention).UnixNano()
	for _, q := range []struct {
		sql  string
		arg  int64
		text bool // the table of what employees typed
	}{
		{`DELETE FROM sessions WHERE expires <= $1`, now.UnixNano(), false},
		{`DELETE FROM seen WHERE expires <= $1`, now.UnixNano(), false},
		{`DELETE FROM feedback WHERE at <= $1`, cut, false},
		{`DELETE FROM unanswered WHERE at <= $1`, cut, true},
		{`DELETE FROM reviews WHERE at <= $1`, cut, false},
		{`DELETE FROM deliveries WHERE at <= $1`, cut, false},
		{`DELETE FROM shares WHERE expires <= $1`, now.UnixNano(), false},
		{`DELETE FROM leases WHERE expires <= $1`, now.UnixNano(), false},
	} {
		tag, err := tx.Exec(ctx, q.sql, q.arg)
		if err != nil {
			return 0, fmt.Errorf("purge: %w", err)
		}
		if q.text {
			texts = tag.RowsAffected()
		}
	}
	return texts, nil
}

// PurgeDue implements store.Store: under a transaction-scoped advisory
// lock, so one replica purges at a time; the others skip rather than wait.
func (s *Store) PurgeDue(ctx context.Context, retention, every time.Duration) (bool, error) {
	ran := false
	var compactMark int64 // the last purge that deleted questions; 0: no rewrite due
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtext($1 || current_schema()))`, lockPurge).Scan(&locked); err != nil {
			return err
		}
		if !locked {
			return nil
		}
		now := s.now()
		var last int64
		err := tx.QueryRow(ctx, `SELECT last_run FROM jobs WHERE name = 'purge'`).Scan(&last)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err == nil && now.Sub(time.Unix(0, last)) < every/2 && !now.Before(time.Unix(0, last)) {
			return nil
		}
		texts, err := purge(ctx, tx, now, retention)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO jobs(name, last_run) VALUES('purge', $1)
			ON CONFLICT (name) DO UPDATE SET last_run = excluded.last_run`, now.UnixNano()); err != nil {
			return err
		}
		if err := markCompact(ctx, tx, texts, now); err != nil {
			return err
		}
		var mark int64
		switch err := tx.QueryRow(ctx, `SELECT last_run FROM jobs WHERE name = 'compact'`).Scan(&mark); {
		case err == nil:
			compactMark = mark
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		ran = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("purge: %w", err)
	}
	if compactMark == 0 {
		return ran, nil
	}
	// Taken before the rewrite: if the oldest transaction still running
	// anywhere on the server is younger than the delete, no snapshot the
	// rewrite must honour can see the deleted rows. (A read-only
	// transaction, such as a backup's, holds no id and is not seen here:
	// README.)
	var oldest int64
	if err := s.pool.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&oldest); err != nil {
		return ran, fmt.Errorf("purge: %w", err)
	}
	final := oldest > compactMark
	// After the commit (the rows must be dead to be left out), and outside
	// the advisory lock's transaction, which VACUUM cannot run in.
	if err := s.compact(ctx); err != nil {
		return ran, err
	}
	if final {
		if _, err := s.pool.Exec(ctx, `DELETE FROM jobs WHERE name = 'compact' AND last_run = $1`, compactMark); err != nil {
			return ran, fmt.Errorf("purge: %w", err)
		}
	}
	return ran, nil
}

// PutShare implements store.Shares.
func (s *Store) PutShare(ctx context.Context, token string, data []byte, ttl time.Duration) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO shares(token, data, expires) VALUES($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expires = excluded.expires`,
		s.HashKey(token), data, s.now().Add(ttl).UnixNano()); err != nil {
		return fmt.Errorf("put share: %w", err)
	}
	return nil
}

// GetShare implements store.Shares.
func (s *Store) GetShare(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM shares WHERE token = $1 AND expires > $2`,
		s.HashKey(token), s.now().UnixNano()).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get share: %w", err)
	}
	return data, true, nil
}

// TryLease implements store.Leases.
func (s *Store) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now()
	tag, err := s.pool.Exec(ctx, `INSERT INTO leases(name, holder, expires) VALUES($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
		WHERE leases.holder = excluded.holder OR leases.expires <= $4`,
		name, holder, now.Add(ttl).UnixNano(), now.UnixNano())
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseLease implements store.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
