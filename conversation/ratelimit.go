package conversation

import (
	"context"
	"strconv"
	"time"

	"github.com/qc-ia/conformbot/internal/ratelimit"
)

// LimitPerUser wraps h so that one person on a chat platform (platform
// and user id) cannot starve the others: past l, each message gets
// TooManyReply, without calling the engine, until the bucket refills. The
// web chat limits its sessions and addresses itself, before the body is
// read. A nil l returns h.
func LimitPerUser(h Handler, l *ratelimit.Keyed) Handler {
	if l == nil {
		return h
	}
	return HandlerFunc(func(ctx context.Context, m Message) (Reply, error) {
		if m.UserID != "" {
			if ok, wait := l.Allow(m.Platform + "\x00" + m.UserID); !ok {
				return TooManyReply(m, wait), nil
			}
		}
		return h.Handle(ctx, m)
	})
}

// TooManyReply tells, in the message's language, to try again in wait.
func TooManyReply(m Message, wait time.Duration) Reply {
	secs := strconv.Itoa(ratelimit.RetryAfter(wait))
	lang := validLang(m.Lang)
	if lang == "" {
		lang = detectLang(m.Text)
	}
	if lang == "" {
		lang = localeLang(m.Locale)
	}
	if lang == LangEN {
		return Reply{Lang: LangEN, Text: []string{"Too many messages in a short time. Try again in " + secs + " s."}}
	}
	return Reply{Lang: LangFR, Text: []string{"Trop de messages en peu de temps. Réessayez dans " + secs + " s."}}
}
