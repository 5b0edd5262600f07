package slack

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/slack-go/slack"

	"github.com/qc-ia/conformbot/conversation"
)

// verified reads the raw body (size-limited), checks Slack's signature and
// timestamp on it before anything is parsed, and only then calls next with
// the request's body restored.
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, raw []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.opt.SigningSecret == "" {
			http.Error(w, "slack signing secret not configured", http.StatusServiceUnavailable)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, a.opt.SigningSecret)
		if err != nil {
			a.log.Warn("rejected request", "path", r.URL.Path, "reason", verifyReason(err))
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		raw, ok := conversation.ReadBody(w, r, maxBody)
		if !ok {
			return
		}
		_, _ = sv.Write(raw)
		if err := sv.Ensure(); err != nil {
			a.log.Warn("rejected request", "path", r.URL.Path, "reason", verifyReason(err))
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		next(w, r, raw)
	})
}

func verifyReason(err error) string {
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return "timestamp outside the 5-minute window (replay or clock skew)"
	case errors.Is(err, slack.ErrMissingHeaders):
		return "missing signature headers"
	case errors.Is(err, slack.ErrInvalidSignature):
		return "bad signature (check SLACK_SIGNING_SECRET)"
	}
	return "malformed signature headers"
}
