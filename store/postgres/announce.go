package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/store"
)

// Channel ids are kept in clear: the bot must post to them. They name a
// channel or a conversation, never a person's name or message.

// Subscribe implements conversation.Subscriptions.
func (s *Store) Subscribe(ctx context.Context, ch conversation.Channel) (bool, error) {
	// xmax = 0 only on a row this statement inserted.
	var added bool
	err := s.pool.QueryRow(ctx, `INSERT INTO subscriptions(platform, channel, address, lang) VALUES($1, $2, $3, $4)
		ON CONFLICT (platform, channel) DO UPDATE SET address = excluded.address, lang = excluded.lang
		RETURNING xmax = 0`, ch.Platform, ch.ID, ch.Address, ch.Lang).Scan(&added)
	if err != nil {
		return false, fmt.Errorf("subscribe: %w", err)
	}
	return added, nil
}

// Unsubscribe implements conversation.Subscriptions.
func (s *Store) Unsubscribe(ctx context.Context, platform, id string) (bool, error) {
	var removed bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		removed, err = unsubscribe(ctx, tx, platform, id)
		return err
	})
	return removed, err
}

func unsubscribe(ctx context.Context, tx pgx.Tx, platform, id string) (bool, error) {
	tag, err := tx.Exec(ctx, `DELETE FROM subscriptions WHERE platform = $1 AND channel = $2`, platform, id)
	if err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM deliveries WHERE platform = $1 AND channel = $2`, platform, id); err != nil {
		return false, fmt.Errorf("unsubscribe: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// Subscriptions implements store.Announcements.
func (s *Store) Subscriptions(ctx context.Context) ([]conversation.Channel, error) {
	rows, err := s.pool.Query(ctx, `SELECT platform, channel, address, lang FROM subscriptions ORDER BY platform, channel`)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (conversation.Channel, error) {
		var c conversation.Channel
		err := r.Scan(&c.Platform, &c.ID, &c.Address, &c.Lang)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return out, nil
}

// Published implements store.Announcements.
func (s *Store) Published(ctx context.Context) (string, []byte, error) {
	var v string
	var sum []byte
	err := s.pool.QueryRow(ctx, `SELECT version, summary FROM published WHERE id = 1`).Scan(&v, &sum)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("published content: %w", err)
	}
	return v, sum, nil
}

// Publish implements store.Announcements, under a transaction-scoped
// advisory lock: replicas loading the same content together wait for the
// first, then find the version already changed.
func (s *Store) Publish(ctx context.Context, prev, next string, summary, body []byte) (bool, error) {
	ok := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1 || current_schema()))`, lockPublish); err != nil {
			return err
		}
		var cur string
		err := tx.QueryRow(ctx, `SELECT version FROM published WHERE id = 1`).Scan(&cur)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if cur != prev {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO published(id, version, summary) VALUES(1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, summary = excluded.summary`, next, summary); err != nil {
			return err
		}
		ok = true
		if body == nil {
			return nil
		}
		now := s.now().UnixNano()
		if _, err := tx.Exec(ctx, `INSERT INTO deliveries(platform, channel, body, due, at)
			SELECT platform, channel, $1, $2, $2 FROM subscriptions ORDER BY platform, channel`, body, now); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("publish: %w", err)
	}
	return ok, nil
}

// ClaimDeliveries implements store.Announcements: one statement, rows
// locked by another claimer skipped.
func (s *Store) ClaimDeliveries(ctx context.Context, platforms []string, n int, lease time.Duration) ([]store.Delivery, error) {
	if len(platforms) == 0 || n <= 0 {
		return nil, nil
	}
	now := s.now()
	rows, err := s.pool.Query(ctx, `WITH c AS (
			UPDATE deliveries SET claimed = $1 WHERE id IN (
				SELECT id FROM deliveries WHERE due <= $2 AND claimed <= $2 AND platform = ANY($3)
				ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
			RETURNING id, platform, channel, body)
		SELECT c.id, c.platform, c.channel, s.address, s.lang, c.body, s.failures
		FROM c JOIN subscriptions s ON s.platform = c.platform AND s.channel = c.channel ORDER BY c.id`,
		now.Add(lease).UnixNano(), now.UnixNano(), platforms, n)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Delivery, error) {
		var d store.Delivery
		err := r.Scan(&d.ID, &d.Channel.Platform, &d.Channel.ID, &d.Channel.Address, &d.Channel.Lang, &d.Body, &d.Failures)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return out, nil
}

// Delivered implements store.Announcements.
func (s *Store) Delivered(ctx context.Context, id int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE subscriptions s SET failures = 0 FROM deliveries d
			WHERE d.id = $1 AND s.platform = d.platform AND s.channel = d.channel`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM deliveries WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delivered: %w", err)
	}
	return nil
}

// DeliveryFailed implements store.Announcements.
func (s *Store) DeliveryFailed(ctx context.Context, id int64, retry time.Duration, maxFailures int) (bool, error) {
	dropped := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var platform, channel string
		err := tx.QueryRow(ctx, `SELECT platform, channel FROM deliveries WHERE id = $1 FOR UPDATE`, id).Scan(&platform, &channel)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		var failures int
		err = tx.QueryRow(ctx, `UPDATE subscriptions SET failures = failures + 1 WHERE platform = $1 AND channel = $2 RETURNING failures`,
			platform, channel).Scan(&failures)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if errors.Is(err, pgx.ErrNoRows) || failures >= maxFailures {
			dropped = true
			_, err := unsubscribe(ctx, tx, platform, channel)
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE deliveries SET due = $1, claimed = 0 WHERE id = $2`, s.now().Add(retry).UnixNano(), id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delivery failed: %w", err)
	}
	return dropped, nil
}
