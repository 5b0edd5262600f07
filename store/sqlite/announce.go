package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store"
)

// Channel ids are kept in clear: the bot must post to them. They name a
// channel or a conversation, never a person's name or message.

// Subscribe implements conversation.Subscriptions.
func (s *Store) Subscribe(ctx context.Context, ch conversation.Channel) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE subscriptions SET address = ?, lang = ? WHERE platform = ? AND channel = ?`,
		ch.Address, ch.Lang, ch.Platform, ch.ID)
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions(platform, channel, address, lang) VALUES(?, ?, ?, ?)`,
			ch.Platform, ch.ID, ch.Address, ch.Lang); err != nil {
			return false, fmt.Errorf("subscribe: %w", err)
		}
	}
	return n == 0, tx.Commit()
}

// Unsubscribe implements conversation.Subscriptions.
func (s *Store) Unsubscribe(ctx context.Context, platform, id string) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	defer tx.Rollback()
	removed, err := unsubscribe(ctx, tx, platform, id)
	if err != nil {
		return false, err
	}
	return removed, tx.Commit()
}

func unsubscribe(ctx context.Context, tx *sql.Tx, platform, id string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE platform = ? AND channel = ?`, platform, id)
	if err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE platform = ? AND channel = ?`, platform, id); err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Subscriptions implements store.Announcements.
func (s *Store) Subscriptions(ctx context.Context) ([]conversation.Channel, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT platform, channel, address, lang FROM subscriptions ORDER BY platform, channel`)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	defer rows.Close()
	var out []conversation.Channel
	for rows.Next() {
		var c conversation.Channel
		if err := rows.Scan(&c.Platform, &c.ID, &c.Address, &c.Lang); err != nil {
			return nil, fmt.Errorf("subscriptions: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Published implements store.Announcements.
func (s *Store) Published(ctx context.Context) (string, []byte, error) {
	var v string
	var sum []byte
	err := s.db.QueryRowContext(ctx, `SELECT version, summary FROM published WHERE id = 1`).Scan(&v, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("published content: %w", err)
	}
	return v, sum, nil
}

// Publish implements store.Announcements. The write transaction is the
// lock: a second process waits, then finds the version changed.
func (s *Store) Publish(ctx context.Context, prev, next string, summary, body []byte) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("publish: %w", err)
	}
	defer tx.Rollback()
	var cur string
	err = tx.QueryRowContext(ctx, `SELECT version FROM published WHERE id = 1`).Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("publish: %w", err)
	}
	if cur != prev {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO published(id, version, summary) VALUES(1, ?, ?)
		ON CONFLICT(id) DO UPDATE SET version = excluded.version, summary = excluded.summary`, next, summary); err != nil {
		return false, fmt.Errorf("publish: %w", err)
	}
	now := s.now().UnixNano()
	if body == nil {
		return true, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries(platform, channel, body, due, at)
		SELECT platform, channel, ?, ?, ? FROM subscriptions ORDER BY platform, channel`, body, now, now); err != nil {
		return false, fmt.Errorf("publish: %w", err)
	}
	return true, tx.Commit()
}

// ClaimDeliveries implements store.Announcements.
func (s *Store) ClaimDeliveries(ctx context.Context, platforms []string, n int, lease time.Duration) ([]store.Delivery, error) {
	if len(platforms) == 0 || n <= 0 {
		return nil, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	defer tx.Rollback()
	now := s.now().UnixNano()
	args := []any{now, now}
	for _, p := range platforms {
		args = append(args, p)
	}
	args = append(args, n)
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.platform, d.channel, s.address, s.lang, d.body, s.failures
		FROM deliveries d JOIN subscriptions s ON s.platform = d.platform AND s.channel = d.channel
		WHERE d.due <= ? AND d.claimed <= ? AND d.platform IN (?`+strings.Repeat(", ?", len(platforms)-1)+`)
		ORDER BY d.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var out []store.Delivery
	for rows.Next() {
		var d store.Delivery
		if err := rows.Scan(&d.ID, &d.Channel.Platform, &d.Channel.ID, &d.Channel.Address, &d.Channel.Lang, &d.Body, &d.Failures); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	until := s.now().Add(lease).UnixNano()
	for _, d := range out {
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET claimed = ? WHERE id = ?`, until, d.ID); err != nil {
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
	}
	return out, tx.Commit()
}

// Delivered implements store.Announcements.
func (s *Store) Delivered(ctx context.Context, id int64) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delivered: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET failures = 0 WHERE (platform, channel) IN
		(SELECT platform, channel FROM deliveries WHERE id = ?)`, id); err != nil {
		return fmt.Errorf("delivered: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delivered: %w", err)
	}
	return tx.Commit()
}

// DeliveryFailed implements store.Announcements.
func (s *Store) DeliveryFailed(ctx context.Context, id int64, retry time.Duration, maxFailures int) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("delivery failed: %w", err)
	}
	defer tx.Rollback()
	var platform, channel string
	err = tx.QueryRowContext(ctx, `SELECT platform, channel FROM deliveries WHERE id = ?`, id).Scan(&platform, &channel)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("delivery failed: %w", err)
	}
	var failures int
	err = tx.QueryRowContext(ctx, `UPDATE subscriptions SET failures = failures + 1 WHERE platform = ? AND channel = ? RETURNING failures`,
		platform, channel).Scan(&failures)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("delivery failed: %w", err)
	}
	if errors.Is(err, sql.ErrNoRows) || failures >= maxFailures {
		if _, err := unsubscribe(ctx, tx, platform, channel); err != nil {
			return false, err
		}
		return true, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET due = ?, claimed = 0 WHERE id = ?`, s.now().Add(retry).UnixNano(), id); err != nil {
		return false, fmt.Errorf("delivery failed: %w", err)
	}
	return false, tx.Commit()
}
