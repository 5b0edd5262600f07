package conversation

import (
	"context"
	"time"
)

// Store keeps what the engine must remember between messages. Implementations
// live under store/ (SQLite by default, in memory for tests). Keys are opaque
// strings built by the engine from platform ids: an implementation that
// persists them must store a keyed hash, never the key itself.
type Store interface {
	Deduper

	// GetSession returns the session saved under key and its version, or
	// version 0 when there is none or it expired.
	GetSession(ctx context.Context, key string) (s Session, version int64, err error)
	// PutSession saves s under key for ttl if the stored version is still
	// version (0: no live session), as one atomic compare-and-set shared by
	// every process on the store. ok=false means another write came first:
	// nothing was written and the caller reads again.
	PutSession(ctx context.Context, key string, s Session, version int64, ttl time.Duration) (ok bool, err error)

	// AddFeedback counts one vote on an FAQ entry.
	AddFeedback(ctx context.Context, entryID string, up bool) error
	// FeedbackCounts returns the votes per entry, by entry id.
	FeedbackCounts(ctx context.Context) ([]FeedbackCount, error)

	// AddUnanswered keeps a question the FAQ did not answer. The engine
	// redacts it first (see Redact).
	AddUnanswered(ctx context.Context, q Unanswered) error
	// Unanswered returns the most recent unanswered questions first, at most limit.
	Unanswered(ctx context.Context, limit int) ([]Unanswered, error)

	// AddReview keeps one event of the officer's review (see Review): no
	// message text, only entry ids, a confidence band and a reason code.
	AddReview(ctx context.Context, r Review) error
	// Reviews returns the events at or after since, oldest first.
	Reviews(ctx context.Context, since time.Time) ([]Review, error)

	// PurgeExpired deletes expired sessions and de-duplication keys, and the
	// feedback and unanswered questions older than retention.
	PurgeExpired(ctx context.Context, retention time.Duration) error
}

// Session is one user's state in one conversation (and thread).
type Session struct {
	Lang string `json:"lang,omitempty"` // language of the last reply
	// LangChosen: Lang was chosen by a language command, so the text's
	// language no longer changes it.
	LangChosen bool         `json:"lang_chosen,omitempty"`
	Dialog     *DialogState `json:"dialog,omitempty"` // nil when no eligibility dialog was started
	Voted      []string     `json:"voted,omitempty"`  // entries this session already rated
	// Reasoned are the entries whose 👎 already got a reason.
	Reasoned []string `json:"reasoned,omitempty"`
	// Offers are the latest replies that offered choices, so that taking
	// one counts for its reply (see Review.Offer).
	Offers []Offer `json:"offers,omitempty"`
}

// Offer is a reply that offered entries as choices.
type Offer struct {
	ID      string   `json:"id"`
	Entries []string `json:"entries"`
}

// DialogState is the eligibility dialog: the answers given so far, in the
// order they were asked, and the verdict once reached.
type DialogState struct {
	Answers []FactAnswer `json:"answers,omitempty"`
	Verdict string       `json:"verdict,omitempty"` // verdict code once decided
	// Rules is the Digest of the rules the dialog started on: it finishes
	// on them after a reload; "" (older sessions) means the current ones.
	Rules string `json:"rules,omitempty"`
}

// FactAnswer is one answer of the dialog.
type FactAnswer struct {
	Fact  string `json:"fact"`
	Value string `json:"value"` // Yes, No or Unknown
}

// Fact values.
const (
	Yes     = "yes"
	No      = "no"
	Unknown = "unknown"
)

// FeedbackCount is the votes on one FAQ entry.
type FeedbackCount struct {
	EntryID string
	Up      int
	Down    int
}

// Unanswered is a question the FAQ did not answer, already redacted.
type Unanswered struct {
	Text string
	Lang string
	At   time.Time
}

// Review kinds.
const (
	ReviewAnswer  = "answer"  // an answer given, with its confidence band
	ReviewOffered = "offered" // an entry offered as a choice
	ReviewTaken   = "taken"   // an offered choice the user took
	ReviewReason  = "reason"  // why a 👎: one of the Reason codes
)

// Reasons for a 👎, chosen from buttons (never free text).
const (
	ReasonWrong      = "wrong"      // pas la bonne réponse
	ReasonIncomplete = "incomplete" // réponse incomplète
	ReasonUnclear    = "unclear"    // pas clair
)

// Review is one event for `bot report`. Band is the search's confidence in
// percent, rounded down to a multiple of 5: enough to list what was answered
// below a threshold, without keeping the scores of every message.
type Review struct {
	Kind   string
	Entry  string
	Band   int
	Reason string
	// Offer is a random id of the reply that offered the choices (offered
	// and taken events): the report sees which replies had none taken.
	Offer string
	At    time.Time
}

// ConfidenceBand rounds a confidence in [0, 1] down to a multiple of 5 %.
func ConfidenceBand(c float64) int {
	switch {
	case c <= 0:
		return 0
	case c >= 1:
		return 100
	}
	return int(c*20+1e-9) * 5
}
