// Package sqlite is the embedded default conversation.Store: one SQLite file
// (modernc.org/sqlite, no cgo) in the data directory, in WAL mode so that
// readers never wait for the writer. Every key (sessions, de-duplication) is
// stored as an HMAC-SHA256 under a random key kept beside the database, so
// the file never holds a platform's user or conversation id.
package sqlite

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ conversation.Store = (*Store)(nil)

// File names inside the data directory.
const (
	DBFile  = "bot.db"
	KeyFile = "hmac.key"
)

const schema = `
CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, data TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, entry TEXT NOT NULL, up INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS unanswered (id INTEGER PRIMARY KEY, text TEXT NOT NULL, lang TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback(at);
CREATE INDEX IF NOT EXISTS unanswered_at ON unanswered(at);
`

// Store is a conversation.Store in one SQLite database.
type Store struct {
	db  *sql.DB
	key []byte
	now func() time.Time

	getSession, putSession, firstSeen *sql.Stmt
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
	dsn := "file:" + filepath.Join(dir, DBFile) +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", DBFile, err)
	}
	s := &Store{db: db, key: key, now: time.Now}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store in %s: %w", dir, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, schema); err != nil {
		return err
	}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.getSession, `SELECT data FROM sessions WHERE key = ? AND expires > ?`},
		{&s.putSession, `INSERT INTO sessions(key, data, expires) VALUES(?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET data = excluded.data, expires = excluded.expires`},
		// An expired key counts as new: the update runs only when it expired.
		{&s.firstSeen, `INSERT INTO seen(key, expires) VALUES(?, ?)
			ON CONFLICT(key) DO UPDATE SET expires = excluded.expires WHERE seen.expires <= ?`},
	} {
		st, err := s.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return err
		}
		*p.dst = st
	}
	return nil
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
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(key))
	return hex.EncodeToString(h.Sum(nil))
}

// GetSession implements conversation.Store.
func (s *Store) GetSession(ctx context.Context, key string) (conversation.Session, bool, error) {
	var data string
	err := s.getSession.QueryRowContext(ctx, s.HashKey(key), s.now().UnixNano()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return conversation.Session{}, false, nil
	}
	if err != nil {
		return conversation.Session{}, false, fmt.Errorf("get session: %w", err)
	}
	var sess conversation.Session
	if err := json.Unmarshal([]byte(data), &sess); err != nil {
		// A session written by an incompatible version: start afresh.
		return conversation.Session{}, false, nil
	}
	return sess, true, nil
}

// PutSession implements conversation.Store.
func (s *Store) PutSession(ctx context.Context, key string, sess conversation.Session, ttl time.Duration) error {
	data, err := json.Marshal(sess)
	if err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	if _, err := s.putSession.ExecContext(ctx, s.HashKey(key), string(data), s.now().Add(ttl).UnixNano()); err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// FirstSeen implements conversation.Deduper.
func (s *Store) FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
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
	_, err := s.db.ExecContext(ctx, `INSERT INTO unanswered(text, lang, at) VALUES(?, ?, ?)`, q.Text, q.Lang, at.UnixNano())
	if err != nil {
		return fmt.Errorf("add unanswered: %w", err)
	}
	return nil
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
	now := s.now()
	cut := now.Add(-retention).UnixNano()
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM sessions WHERE expires <= ?`, now.UnixNano()},
		{`DELETE FROM seen WHERE expires <= ?`, now.UnixNano()},
		{`DELETE FROM feedback WHERE at <= ?`, cut},
		{`DELETE FROM unanswered WHERE at <= ?`, cut},
	} {
		if _, err := s.db.ExecContext(ctx, q.sql, q.arg); err != nil {
			return fmt.Errorf("purge: %w", err)
		}
	}
	return nil
}
