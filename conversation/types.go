// Package conversation is the platform-neutral core of the bot: adapters turn
// a platform event into a Message, call Handler.Handle, and render the Reply.
// Adapters never decide what to answer.
package conversation

import (
	"context"
	"strings"
	"time"
)

// Platform names used in Message.Platform and in store keys.
const (
	PlatformWeb     = "web"
	PlatformConsole = "console"
	PlatformSlack   = "slack"
	PlatformTeams   = "teams"
	PlatformDiscord = "discord"
)

// Languages of a reply.
const (
	LangFR = "fr"
	LangEN = "en"
)

// Message is one thing a user did: typed Text, or clicked the button whose
// stable id is Action. UserID and ConversationID are opaque platform ids; the
// engine hashes them before storing or logging anything.
type Message struct {
	Platform       string
	UserID         string
	ConversationID string
	ThreadID       string
	Text           string
	Action         string // id of a clicked Action; empty for typed text
	Locale         string // platform locale hint ("fr-CA", "en-US"); may be empty
	// Names are people the text names that the platform marks as such
	// (Teams mentions of colleagues), one per line: redacted like the
	// writer's own name before anything is stored. A string keeps
	// Message comparable.
	Names string
	// Channel is where the adapter could later post unprompted (set by the
	// adapters that implement Announcer); zero elsewhere, where « abonner »
	// is refused. The engine keeps it only when the user subscribes.
	Channel Channel
	// Lang is the language the person chose on the surface (the web page's
	// switch, the API's "lang"): it wins over the text's language. "" when
	// the surface has no such choice.
	Lang string
}

// Reply holds neutral parts that each adapter renders within its platform's
// limits, splitting and never cutting text.
type Reply struct {
	Lang        string       // LangFR or LangEN
	Text        []string     // the bot's own paragraphs: greetings, notices, help
	Answer      *Answer      // an official FAQ entry, verbatim
	Question    *Question    // the next eligibility question
	Verdict     *Verdict     // the end of the eligibility dialog
	Suggestions []Suggestion // entries the user may have meant
	Escalation  *Escalation  // the MCN contact and a ready e-mail
	Actions     []Action     // other buttons, in display order: never repeats Question.Choices or Suggestions' actions
	// LangChosen: the person chose Lang in this turn (« english »,
	// « français »); a surface with its own language switch follows it.
	LangChosen bool
}

// Source is the document an answer is quoted from.
type Source struct {
	Title     string
	Issuer    string // "MCN"
	Reference string // "IA-RI-2025-001-OP"
	Date      time.Time
	Label     string // ready-made line, e.g. "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"
	URL       string // the document's https:// address, "" when unconfirmed
}

// Link is a document an official answer cites, with its confirmed address.
type Link struct {
	Title string // the cited title, as in the answer
	URL   string // https://
}

// Related is an entry offered after an answer; Action opens it.
type Related struct {
	EntryID  string
	Question string
	Action   Action
}

// Answer is an official entry quoted exactly.
type Answer struct {
	EntryID  string
	Question string // the entry's official question, used as a title
	// Text is the official answer, word for word, as plain text: "- " lists
	// stay, the FAQ's markup ([title](#) links, *emphasis*) is removed and
	// the cited documents with a known address are in Links.
	Text    string
	Passage string // the list item, paragraph or sentence that best answers the question, an exact substring of Text; "" when none
	Source  Source
	Links   []Link
	Related []Related // follow-ups, also rendered as buttons in Reply.Actions
	// Emphasis are the phrases the FAQ sets in italics, each an exact
	// substring of Text, in order: a surface that has italics shows them so.
	Emphasis []string
}

// Question is one eligibility question with its choices.
type Question struct {
	Fact   string
	Prompt string
	Why    string // "why we ask", citing the FAQ
	Step   int    // 1-based number of this question in the dialog
	// Remaining bounds the questions left, this one included (the rules
	// count the unasked facts that can still change the verdict).
	Remaining int
	Choices   []Action // rendered with the question; not repeated in Reply.Actions
}

// Citation points at an FAQ entry a verdict rests on; Action opens it.
type Citation struct {
	EntryID  string
	Question string
	Action   Action
}

// Verdict tones: how a verdict reads for the person. Surfaces pair each with
// a mark (Labels.Mark) and a colour, never the colour alone.
const (
	TonePositive = "positive"
	ToneNegative = "negative"
	ToneNeutral  = "neutral"
)

// VerdictAnswer is one answer a verdict rests on, as a list item.
type VerdictAnswer struct {
	Fact   string
	Label  string // the fact's short name, e.g. "organisme public visé (art. 2 de la LGGRI)"
	Value  string // Yes, No or Unknown
	Answer string // the value in the reply's language ("oui", "je ne sais pas")
}

// Verdict ends the eligibility dialog. It comes as parts that read at a
// glance: Title (the headline), Conclusion (one sentence), Answers (a
// list), then the Explanation, the Citations as follow-ups, and the Source;
// the reply carries the MCN's Escalation when the rules say it helps.
type Verdict struct {
	Code        string // hors-portee, usage-individuel, usage-individuel-non-permis, exception, suspendu, indetermine
	Title       string // short headline in the reply's language
	Tone        string // TonePositive, ToneNegative or ToneNeutral
	Conclusion  string // one sentence; "" when the rules give none
	Answers     []VerdictAnswer
	Exceptions  []string // exception names when Code is "exception"
	Explanation string   // the reasons, after the conclusion
	ToVerify    []string // questions to verify when Code is "indetermine"
	Citations   []Citation
	Source      Source // the FAQ the verdict rests on, with its date
	// Receipt is the plain-text record of the finished check (answers,
	// verdict, citations, rules version, FAQ source and date, time), nothing about the
	// person; the receipt button (ActEligReceipt) shows it as a message.
	Receipt string
}

// Suggestion is an entry offered when the bot is unsure or has no answer.
type Suggestion struct {
	EntryID  string
	Question string
	Action   Action
}

// Escalation is the hand-over to a human: the user decides to send the e-mail.
type Escalation struct {
	Email   string
	Subject string
	Body    string
	Mailto  string // mailto: URL holding Subject and Body
}

// Action is a button. ID is stable and opaque to adapters: they send it back
// unchanged in Message.Action. IDs are at most 100 bytes (Discord's custom_id limit).
type Action struct {
	ID    string
	Label string
	Style string // "", "primary" or "danger"
	URL   string // set for link buttons (mailto:); such a button sends no Action back
}

// Handler is what adapters call: one Message in, one Reply out.
type Handler interface {
	Handle(ctx context.Context, m Message) (Reply, error)
}

// HandlerFunc adapts a function to Handler (handy in tests).
type HandlerFunc func(ctx context.Context, m Message) (Reply, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, m Message) (Reply, error) { return f(ctx, m) }

// Deduper remembers platform event ids so that a retried delivery is handled once.
type Deduper interface {
	// FirstSeen records key and reports whether it had not been seen within ttl.
	FirstSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// IsEmpty reports whether the reply has nothing to show.
func (r Reply) IsEmpty() bool {
	return len(r.Text) == 0 && r.Answer == nil && r.Question == nil && r.Verdict == nil &&
		len(r.Suggestions) == 0 && r.Escalation == nil && len(r.Actions) == 0
}

// Buttons returns every button of the reply in display order: the
// question's choices, the suggestions, then Actions, each id (or link) once.
// Renderers that show all buttons in one place can use it.
func (r Reply) Buttons() []Action {
	var all []Action
	if r.Question != nil {
		all = append(all, r.Question.Choices...)
	}
	for _, s := range r.Suggestions {
		all = append(all, s.Action)
	}
	all = append(all, r.Actions...)
	out := all[:0]
	seen := make(map[string]bool, len(all))
	for _, a := range all {
		key := a.ID
		if a.URL != "" {
			key = "url:" + a.URL
		}
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, a)
	}
	return out
}

// PlainText renders the whole reply as plain text, paragraphs separated by a
// blank line. Buttons are not included: adapters render Actions themselves.
func (r Reply) PlainText() string {
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	l := LabelsFor(r.Lang)
	for _, t := range r.Text {
		add(t)
	}
	if a := r.Answer; a != nil {
		add(a.Question)
		if a.Passage != "" {
			add(l.Passage + "\n« " + a.Passage + " »")
			add(l.FullAnswer)
		}
		add(a.Text)
		add(a.Source.Label)
	}
	if q := r.Question; q != nil {
		add(q.Prompt)
		add(q.Why)
	}
	if v := r.Verdict; v != nil {
		add(l.Mark(v.Tone) + " " + v.Title)
		add(v.Conclusion)
		if len(v.Answers) > 0 {
			items := make([]string, len(v.Answers))
			for i, a := range v.Answers {
				items[i] = a.Label + l.Colon + a.Answer
			}
			add(List(l.YourAnswers, items))
		}
		if len(v.Exceptions) > 0 && v.Conclusion == "" {
			add(List(l.Exceptions, v.Exceptions)) // a conclusion names them
		}
		add(v.Explanation)
		if len(v.ToVerify) > 0 {
			add(List(l.ToVerify, v.ToVerify))
		}
		if len(v.Citations) > 0 {
			qs := make([]string, len(v.Citations))
			for i, c := range v.Citations {
				qs[i] = c.Question
			}
			add(List(l.References, qs))
		}
		add(v.Source.Label)
	}
	if len(r.Suggestions) > 0 {
		qs := make([]string, len(r.Suggestions))
		for i, s := range r.Suggestions {
			qs[i] = s.Question
		}
		add(List(l.DidYouMean, qs))
	}
	if e := r.Escalation; e != nil {
		add(l.ReachLine(e.Email))
	}
	return strings.Join(parts, "\n\n")
}
