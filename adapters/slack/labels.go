package slack

import (
	"context"

	"github.com/qc-ia/conformbot/conversation"
)

// Messages the adapter writes on its own, when no Reply exists: Slack
// payloads carry no locale, so they are bilingual, French first. The words
// are the conversation vocabulary's.
var (
	msgError       = conversation.ErrorText(nil, "")
	msgTimeout     = conversation.ErrorText(context.DeadlineExceeded, "")
	msgStale       = conversation.Bilingual(func(l *conversation.Labels) string { return l.Stale })
	msgUnsupported = conversation.Bilingual(func(l *conversation.Labels) string { return l.Unsupported })
)
