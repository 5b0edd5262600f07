package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Retry policy of the connector calls: 429 and 5xx are retried with
// exponential backoff, or after the server's Retry-After when it gives one.
const (
	maxAttempts  = 4
	baseBackoff  = time.Second
	maxBackoff   = 30 * time.Second
	maxReplyBody = 64 << 10
)

// Sleeper waits d or until ctx ends. Tests inject one that returns at once.
type Sleeper func(ctx context.Context, d time.Duration) error

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// connector posts activities to the Bot Connector REST API.
type connector struct {
	client *http.Client
	tokens *tokenSource
	sleep  Sleeper
	now    func() time.Time
}

// activityURL is POST {serviceUrl}v3/conversations/{id}/activities[/{replyTo}].
func activityURL(serviceURL, conversationID, replyTo string) (string, error) {
	u, err := url.Parse(serviceURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("invalid serviceUrl")
	}
	base := strings.TrimSuffix(serviceURL, "/") + "/v3/conversations/" + url.PathEscape(conversationID) + "/activities"
	if replyTo != "" {
		base += "/" + url.PathEscape(replyTo)
	}
	return base, nil
}

// send posts one activity, retrying on 429/5xx.
func (c *connector) send(ctx context.Context, endpoint string, act any) error {
	_, err := c.do(ctx, http.MethodPost, endpoint, act)
	return err
}

// do sends act with method (POST a new activity, PUT an update), retrying
// on 429/5xx, and returns the id the connector gives the activity.
func (c *connector) do(ctx context.Context, method, endpoint string, act any) (string, error) {
	body, err := json.Marshal(act)
	if err != nil {
		return "", err
	}
	var last error
	refreshed := false
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		token, err := c.tokens.Token(ctx)
		if err != nil {
			return "", err
		}
		status, retryAfter, id, err := c.call(ctx, method, endpoint, token, body)
		switch {
		case err == nil:
			return id, nil
		case status == http.StatusUnauthorized && !refreshed:
			// A token revoked or rotated early: fetch a new one once.
			c.tokens.invalidate(token)
			refreshed = true
			last = err
			continue
		case status != http.StatusTooManyRequests && status < 500:
			return "", err // network errors (status 0) and other 4xx are not retried
		}
		last = err
		if attempt == maxAttempts {
			break
		}
		wait := retryAfter
		if wait <= 0 {
			wait = baseBackoff << (attempt - 1)
		}
		if err := c.sleep(ctx, min(wait, maxBackoff)); err != nil {
			return "", fmt.Errorf("%w (while retrying: %v)", err, last)
		}
	}
	return "", fmt.Errorf("after %d attempts: %w", maxAttempts, last)
}

func (c *connector) call(ctx context.Context, method, endpoint, token string, body []byte) (status int, retryAfter time.Duration, id string, err error) {
	req, err := http.NewRequestWithContext(ctx, method, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := c.client.Do(req)
	if err != nil {
		// The URL holds the conversation id: keep it out of logs.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return 0, 0, "", fmt.Errorf("connector: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxReplyBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// The ResourceResponse: {"id": "…"} (empty for some updates).
		var rr struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &rr)
		return resp.StatusCode, 0, rr.ID, nil
	}
	return resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After"), c.now()), "",
		fmt.Errorf("connector: %s", resp.Status)
}

// maxRetryAfter bounds what parseRetryAfter returns.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads delta-seconds or an HTTP date; 0 when absent or invalid.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		// Seconds beyond a day would overflow a Duration into a negative
		// wait; the caller caps the wait far lower anyway.
		return time.Duration(min(s, int(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}
