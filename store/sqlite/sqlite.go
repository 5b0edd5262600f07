// Package sqlite is the embedded default conversation.Store: one SQLite file
// (modernc.org/sqlite, no cgo) in the data directory, in WAL mode so that
// readers never wait for the writer. Every key (sessions, de-duplication) is
// stored as an HMAC-SHA256 under a random key kept beside the database, so
// the file never holds a platform's user or conversation id.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/keyed"
	"github.com/qc-ia/conformbot/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var (
	_ store.Store       = (*Store)(nil)
	_ store.EventWriter = (*Store)(nil)
)

// File names inside the data directory.
const (
	DBFile  = "bot.db"
	KeyFile = "hmac.key"
)

// migrations are applied in order, each once, as PRAGMA user_version
// records; a database made before versioning (user_version 0) already has
// the first one's tables, which it creates only if absent.
var migrations = []string{
	`CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, data TEXT NOT NULL, expires INTEGER NOT NULL);
	CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires INTEGER NOT NULL);
	CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, entry TEXT NOT NULL, up INTEGER NOT NULL, at INTEGER NOT NULL);
	CREATE TABLE IF NOT EXISTS unanswered (id INTEGER PRIMARY KEY, text TEXT NOT NULL, lang TEXT NOT NULL, at INTEGER NOT NULL);
	CREATE INDEX IF NOT EXISTS feedback_at ON feedback(at);
	CREATE INDEX IF NOT EXISTS unanswered_at ON unanswered(at);`,
	`ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
	CREATE TABLE shares (token TEXT PRIMARY KEY, data BLOB NOT NULL, expires INTEGER NOT NULL);
	CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires INTEGER NOT NULL);
	CREATE TABLE jobs (name TEXT PRIMARY KEY, last_run INTEGER NOT NULL);`,
	`CREATE TABLE reviews (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, entry TEXT NOT NULL, band INTEGER NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL);
	CREATE INDEX reviews_at ON reviews(at);`,
	`CREATE TABLE subscriptions (platform TEXT NOT NULL, channel TEXT NOT NULL, address TEXT NOT NULL, lang TEXT NOT NULL,
		failures INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (platform, channel));
	CREATE TABLE published (id INTEGER PRIMARY KEY CHECK (id = 1), version TEXT NOT NULL, summary BLOB NOT NULL);
	CREATE TABLE deliveries (id INTEGER PRIMARY KEY, platform TEXT NOT NULL, channel TEXT NOT NULL, body BLOB NOT NULL,
		due INTEGER NOT NULL, claimed INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL);
	CREATE INDEX deliveries_due ON deliveries(due);`,
	`ALTER TABLE reviews ADD COLUMN offer TEXT NOT NULL DEFAULT '';`,
}

// Store is a conversation.Store in one SQLite database.
type Store struct {
	db  *sql.DB
	key *keyed.Hash
	now func() time.Time

	// Prepared once: the driver parses a statement's SQL at every
	// unprepared call, a good part of a chat turn's store work.
	getSession, putSession, firstSeen, addUnanswered, addReview *sql.Stmt
}

// Open opens (creating if needed) the store in dir, which is created too.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	key, err := loadKey(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, DBFile)
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	// secure_delete: a purged row's bytes are overwritten with zeros, not
	// left in free pages. journal_size_limit: the WAL is cut back to 1 MiB
	// after each checkpoint instead of keeping its largest size.
	dsn := "file:" + path +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=secure_delete(ON)&_pragma=journal_size_limit(1048576)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", DBFile, err)
	}
	s := &Store{db: db, key: keyed.New(key), now: time.Now}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store in %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.getSession, `SELECT data, version FROM sessions WHERE key = ? AND expires > ?`},
		// The compare-and-set: a missing row is inserted; an existing one is
		// replaced only at the version read, or at 0 once it expired. A new
		// row starts at a random version, so a writer holding the version of
		// a row purged and created again meanwhile cannot match it.
		{&s.putSession, `INSERT INTO sessions(key, data, expires, version) VALUES(?1, ?2, ?3, ?6)
			ON CONFLICT(key) DO UPDATE SET data = excluded.data, expires = excluded.expires, version = sessions.version + 1
			WHERE sessions.version = ?4 OR (?4 = 0 AND sessions.expires <= ?5)`},
		// An expired key counts as new: the update runs only when it expired.
		{&s.firstSeen, `INSERT INTO seen(key, expires) VALUES(?, ?)
			ON CONFLICT(key) DO UPDATE SET expires = excluded.expires WHERE seen.expires <= ?`},
		{&s.addUnanswered, `INSERT INTO unanswered(text, lang, at) VALUES(?, ?, ?)`},
		{&s.addReview, `INSERT INTO reviews(kind, entry, band, reason, offer, at) VALUES(?, ?, ?, ?, ?, ?)`},
	} {
		st, err := s.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return err
		}
		*p.dst = st
	}
	return nil
}

// migrate applies the missing migrations in one write transaction, so two
// processes opening one file at once apply each migration once.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see the DSN): one writer at a time
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this program's (%d): upgrade the bot", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if v < len(migrations) {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations))); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ownerOnly creates the database file 0600 before SQLite opens it, since
// SQLite gives the -wal and -shm files the database file's mode; files left
// by an older version with a wider mode are narrowed.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("open %s: %w", p, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("make %s private: %w", p, err)
			}
		}
	}
	return nil
}

// DirOpenToOthers says whether dir can be read or entered by users other
// than its owner, for bot serve to warn about (the files inside are 0600
// anyway, but their names and sizes are visible).
func DirOpenToOthers(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.Mode().Perm()&0o077 != 0
}

// loadKey reads the HMAC key, creating a random one on first use. O_EXCL
// makes two processes starting at once agree on one key.
func loadKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil && len(key) >= 32 {
		return key, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("hash key %s: %w", path, err)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("hash key %s: %w", path, err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, fmt.Errorf("hash key %s: %w", path, err)
	}
	return key, f.Close()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// HashKey is the keyed hash under which key is stored.
func (s *Store) HashKey(key string) string {
	return s.key.Hex(key, 0)
}

// brief is ctx for a statement of a turn (microseconds): once started, it
// runs to its end rather than watching ctx, which the driver does with a
// goroutine and a progress handler per statement (GetSession took 17 µs
// instead of 7). A lock wait stays bounded by busy_timeout (5 s); a
// context already done starts nothing.
func brief(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// GetSession implements conversation.Store.
func (s *Store) GetSession(ctx context.Context, key string) (conversation.Session, int64, error) {
	ctx, err := brief(ctx)
	if err != nil {
		return conversation.Session{}, 0, fmt.Errorf("get session: %w", err)
	}
	var data string
	var version int64
	err = s.getSession.QueryRowContext(ctx, s.HashKey(key), s.now().UnixNano()).Scan(&data, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return conversation.Session{}, 0, nil
	}
	if err != nil {
		return conversation.Session{}, 0, fmt.Errorf("get session: %w", err)
	}
	var sess conversation.Session
	if err := json.Unmarshal([]byte(data), &sess); err != nil {
		// A session written by an incompatible version: start afresh (its
		// version still guards the row).
		return conversation.Session{}, version, nil
	}
	return sess, version, nil
}

// PutSession implements conversation.Store.
func (s *Store) PutSession(ctx context.Context, key string, sess conversation.Session, version int64, ttl time.Duration) (bool, error) {
	ctx, err := brief(ctx)
	if err != nil {
		return false, fmt.Errorf("put session: %w", err)
	}
	data, err := json.Marshal(sess)
	if err != nil {
		return false, fmt.Errorf("put session: %w", err)
	}
	now := s.now()
	res, err := s.putSession.ExecContext(ctx, s.HashKey(key), string(data), now.Add(ttl).UnixNano(), version, now.UnixNano(), store.NewVersion())
	if err != nil {
		return false, fmt.Errorf("put session: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("put session: %w", err)
	}
	return n == 1, nil
}

// FirstSeen implements conversation.Deduper.
func (s *Store) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ctx, err := brief(ctx)
	if err != nil {
		return false, fmt.Errorf("first seen: %w", err)
	}
	now := s.now()
	res, err := s.firstSeen.ExecContext(ctx, s.HashKey(key), now.Add(ttl).UnixNano(), now.UnixNano())
	if err != nil {
		return false, fmt.Errorf("first seen: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("first seen: %w", err)
	}
	return n == 1, nil
}

// AddFeedback implements conversation.Store.
func (s *Store) AddFeedback(ctx context.Context, entryID string, up bool) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO feedback(entry, up, at) VALUES(?, ?, ?)`, entryID, up, s.now().UnixNano())
	if err != nil {
		return fmt.Errorf("add feedback: %w", err)
	}
	return nil
}

// FeedbackCounts implements conversation.Store.
func (s *Store) FeedbackCounts(ctx context.Context) ([]conversation.FeedbackCount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT entry, SUM(up), SUM(1 - up) FROM feedback GROUP BY entry ORDER BY entry`)
	if err != nil {
		return nil, fmt.Errorf("feedback counts: %w", err)
	}
	defer rows.Close()
	var out []conversation.FeedbackCount
	for rows.Next() {
		var c conversation.FeedbackCount
		if err := rows.Scan(&c.EntryID, &c.Up, &c.Down); err != nil {
			return nil, fmt.Errorf("feedback counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddUnanswered implements conversation.Store.
func (s *Store) AddUnanswered(ctx context.Context, q conversation.Unanswered) error {
	at := q.At
	if at.IsZero() {
		at = s.now()
	}
	_, err := s.addUnanswered.ExecContext(ctx, q.Text, q.Lang, at.UnixNano())
	if err != nil {
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
	_, err := s.addReview.ExecContext(ctx, r.Kind, r.Entry, r.Band, r.Reason, r.Offer, at.UnixNano())
	if err != nil {
		return fmt.Errorf("add review: %w", err)
	}
	return nil
}

// AddEvents implements store.EventWriter: one transaction, one commit.
func (s *Store) AddEvents(ctx context.Context, reviews []conversation.Review, unanswered []conversation.Unanswered) error {
	ctx, err := brief(ctx)
	if err != nil {
		return fmt.Errorf("add events: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("add events: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	stamp := func(t time.Time) int64 {
		if t.IsZero() {
			t = now
		}
		return t.UnixNano()
	}
	if len(reviews) > 0 {
		st := tx.StmtContext(ctx, s.addReview)
		for _, r := range reviews {
			if _, err := st.ExecContext(ctx, r.Kind, r.Entry, r.Band, r.Reason, r.Offer, stamp(r.At)); err != nil {
				return fmt.Errorf("add review: %w", err)
			}
		}
	}
	if len(unanswered) > 0 {
		st := tx.StmtContext(ctx, s.addUnanswered)
		for _, q := range unanswered {
			if _, err := st.ExecContext(ctx, q.Text, q.Lang, stamp(q.At)); err != nil {
				return fmt.Errorf("add unanswered: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("add events: %w", err)
	}
	return nil
}

// Reviews implements conversation.Store.
func (s *Store) Reviews(ctx context.Context, since time.Time) ([]conversation.Review, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, entry, band, reason, offer, at FROM reviews WHERE at >= ? ORDER BY at, id`, since.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	defer rows.Close()
	var out []conversation.Review
	for rows.Next() {
		var r conversation.Review
		var at int64
		if err := rows.Scan(&r.Kind, &r.Entry, &r.Band, &r.Reason, &r.Offer, &at); err != nil {
			return nil, fmt.Errorf("reviews: %w", err)
		}
		r.At = time.Unix(0, at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Unanswered implements conversation.Store.
func (s *Store) Unanswered(ctx context.Context, limit int) ([]conversation.Unanswered, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT text, lang, at FROM unanswered ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("unanswered: %w", err)
	}
	defer rows.Close()
	var out []conversation.Unanswered
	for rows.Next() {
		var q conversation.Unanswered
		var at int64
		if err := rows.Scan(&q.Text, &q.Lang, &at); err != nil {
			return nil, fmt.Errorf("unanswered: %w", err)
		}
		q.At = time.Unix(0, at)
		out = append(out, q)
	}
	return out, rows.Err()
}

// PurgeExpired implements conversation.Store.
func (s *Store) PurgeExpired(ctx context.Context, retention time.Duration) error {
	if err := purge(ctx, s.db, s.now(), retention); err != nil {
		return err
	}
	s.checkpoint(ctx)
	return nil
}

// checkpoint copies the WAL into the database and truncates it, so the
// frames that still hold purged rows leave the disk now rather than at the
// next clean close. Best effort: a busy reader only delays it to the next
// purge or close.
func (s *Store) checkpoint(ctx context.Context) {
	s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func purge(ctx context.Context, ex execer, now time.Time, retention time.Duration) error {
	cut := now.Add(-retention).UnixNano()
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM sessions WHERE expires <= ?`, now.UnixNano()},
		{`DELETE FROM seen WHERE expires <= ?`, now.UnixNano()},
		{`DELETE FROM feedback WHERE at <= ?`, cut},
		{`DELETE FROM unanswered WHERE at <= ?`, cut},
		{`DELETE FROM reviews WHERE at <= ?`, cut},
		{`DELETE FROM deliveries WHERE at <= ?`, cut},
		{`DELETE FROM shares WHERE expires <= ?`, now.UnixNano()},
		{`DELETE FROM leases WHERE expires <= ?`, now.UnixNano()},
	} {
		if _, err := ex.ExecContext(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("purge: %w", err)
		}
	}
	return nil
}

// PurgeDue implements store.Store. The write transaction is the lock: a
// second process waits for it, then sees the purge just done and skips.
func (s *Store) PurgeDue(ctx context.Context, retention, every time.Duration) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("purge: %w", err)
	}
	defer tx.Rollback()
	now := s.now()
	var last int64
	err = tx.QueryRowContext(ctx, `SELECT last_run FROM jobs WHERE name = 'purge'`).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("purge: %w", err)
	}
	if err == nil && now.Sub(time.Unix(0, last)) < every/2 && !now.Before(time.Unix(0, last)) {
		return false, nil
	}
	if err := purge(ctx, tx, now, retention); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO jobs(name, last_run) VALUES('purge', ?)
		ON CONFLICT(name) DO UPDATE SET last_run = excluded.last_run`, now.UnixNano()); err != nil {
		return false, fmt.Errorf("purge: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("purge: %w", err)
	}
	s.checkpoint(ctx)
	return true, nil
}

// PutShare implements store.Shares.
func (s *Store) PutShare(ctx context.Context, token string, data []byte, ttl time.Duration) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO shares(token, data, expires) VALUES(?, ?, ?)
		ON CONFLICT(token) DO UPDATE SET data = excluded.data, expires = excluded.expires`,
		s.HashKey(token), data, s.now().Add(ttl).UnixNano())
	if err != nil {
		return fmt.Errorf("put share: %w", err)
	}
	return nil
}

// GetShare implements store.Shares.
func (s *Store) GetShare(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT data FROM shares WHERE token = ? AND expires > ?`,
		s.HashKey(token), s.now().UnixNano()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
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
	res, err := s.db.ExecContext(ctx, `INSERT INTO leases(name, holder, expires) VALUES(?1, ?2, ?3)
		ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
		WHERE leases.holder = excluded.holder OR leases.expires <= ?4`,
		name, holder, now.Add(ttl).UnixNano(), now.UnixNano())
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease implements store.Leases.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}
