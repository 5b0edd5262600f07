package conversation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/qc-ia/conformbot/faq"
)

// ContentSummary is what an announcement compares: the official questions
// and answers (the answer as a hash) and the document's date. Phrasings,
// keywords and examples are not official text and change nothing.
type ContentSummary struct {
	Reference string         `json:"reference"`
	Date      time.Time      `json:"date"`
	Entries   []SummaryEntry `json:"entries"`
}

// SummaryEntry is one official entry in a ContentSummary.
type SummaryEntry struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Answer   string `json:"answer_sha256"`
}

// Summarize is kb's official content.
func Summarize(kb *faq.KB) ContentSummary {
	s := ContentSummary{Reference: kb.Doc.Reference, Date: kb.Doc.Date.UTC(), Entries: make([]SummaryEntry, 0, len(kb.Entries))}
	for _, e := range kb.Entries {
		h := sha256.Sum256([]byte(e.Answer))
		s.Entries = append(s.Entries, SummaryEntry{ID: e.ID, Question: e.Question, Answer: hex.EncodeToString(h[:])})
	}
	return s
}

// Version names the summary: equal summaries, equal versions.
func (s ContentSummary) Version() string {
	b, _ := json.Marshal(s)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// Announcement is what changed in the official content, with the new text
// of each added or changed entry, quoted exactly (markup removed as in an
// answer). It is stored as JSON and rendered in each channel's language.
type Announcement struct {
	Reference string           `json:"reference"`
	Title     string           `json:"title"`
	Issuer    string           `json:"issuer"`
	Date      time.Time        `json:"date"`
	URL       string           `json:"url,omitempty"`
	DateFrom  time.Time        `json:"date_from"`
	Added     []AnnouncedEntry `json:"added,omitempty"`
	Changed   []AnnouncedEntry `json:"changed,omitempty"`
	Removed   []AnnouncedEntry `json:"removed,omitempty"`
	Links     []Link           `json:"links,omitempty"`
}

// AnnouncedEntry is one entry of an Announcement; Answer is empty for a
// removed entry.
type AnnouncedEntry struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Answer   string `json:"answer,omitempty"`
}

// Changes compares kb with prev and says what an announcement must tell;
// ok=false when no official question, answer or date changed.
func Changes(prev ContentSummary, kb *faq.KB) (a Announcement, ok bool) {
	d := kb.Doc
	a = Announcement{Reference: d.Reference, Title: d.Title, Issuer: d.Issuer, Date: d.Date, URL: d.URL, DateFrom: prev.Date}
	old := make(map[string]SummaryEntry, len(prev.Entries))
	for _, e := range prev.Entries {
		old[e.ID] = e
	}
	now := Summarize(kb)
	seen := map[string]bool{}
	for i, s := range now.Entries {
		seen[s.ID] = true
		o, had := old[s.ID]
		if had && o == s {
			continue
		}
		text, links := plainText(d, kb.Entries[i].Answer)
		e := AnnouncedEntry{ID: s.ID, Question: s.Question, Answer: text}
		if had {
			a.Changed = append(a.Changed, e)
		} else {
			a.Added = append(a.Added, e)
		}
		for _, l := range links {
			if !a.hasLink(l) {
				a.Links = append(a.Links, l)
			}
		}
	}
	for _, o := range prev.Entries {
		if !seen[o.ID] {
			a.Removed = append(a.Removed, AnnouncedEntry{ID: o.ID, Question: o.Question})
		}
	}
	ok = len(a.Added)+len(a.Changed)+len(a.Removed) > 0 || !prev.Date.Equal(now.Date)
	return a, ok
}

func (a *Announcement) hasLink(l Link) bool {
	for _, x := range a.Links {
		if x.URL == l.URL {
			return true
		}
	}
	return false
}

// ActUnsubscribe is the button of an announcement that unsubscribes its
// channel; ActSubscribe subscribes it.
const (
	ActSubscribe   = "sub"
	ActUnsubscribe = "unsub"
)

type announceWords struct {
	head, dated, changed, added, removed, dateOnly, openDoc, btnUnsub, btnSub string
	subscribed, already, unsubscribed, notSubscribed, notHere, unavailable    string
}

var announceText = map[string]*announceWords{
	LangFR: {
		head:          "📢 Le contenu officiel a changé : FAQ %s (%s).",
		dated:         "Date du document : %s (auparavant : %s).",
		changed:       "Réponse modifiée",
		added:         "Nouvelle question",
		removed:       "Question retirée de la FAQ",
		dateOnly:      "Aucune question ni réponse n'a changé : seule la date du document est nouvelle.",
		openDoc:       "Ouvrir la FAQ officielle",
		btnUnsub:      "Se désabonner",
		btnSub:        "S'abonner",
		subscribed:    "C'est fait : ce canal recevra un message chaque fois que la FAQ officielle IA-RI-2025-001-OP change (réponses ajoutées, modifiées ou retirées, nouvelle date). Écrivez « désabonner » pour arrêter.",
		already:       "Ce canal est déjà abonné aux changements de la FAQ officielle. Écrivez « désabonner » pour arrêter.",
		unsubscribed:  "C'est fait : ce canal ne recevra plus les changements de la FAQ officielle. Écrivez « abonner » pour vous réabonner.",
		notSubscribed: "Ce canal n'est pas abonné aux changements de la FAQ officielle. Écrivez « abonner » pour l'abonner.",
		notHere:       "Les abonnements se font dans Slack, Teams ou Discord : écrivez « abonner » dans le canal qui doit recevoir les changements de la FAQ officielle.",
		unavailable:   "Les abonnements ne sont pas offerts par ce service pour le moment.",
	},
	LangEN: {
		head:          "📢 The official content changed: FAQ %s (%s).",
		dated:         "Document date: %s (previously: %s).",
		changed:       "Answer changed",
		added:         "New question",
		removed:       "Question removed from the FAQ",
		dateOnly:      "No question or answer changed: only the document's date is new.",
		openDoc:       "Open the official FAQ",
		btnUnsub:      "Unsubscribe",
		btnSub:        "Subscribe",
		subscribed:    "Done: this channel will get a message whenever the official FAQ IA-RI-2025-001-OP changes (answers added, changed or removed, a new date). Type \"unsubscribe\" to stop.",
		already:       "This channel is already subscribed to changes of the official FAQ. Type \"unsubscribe\" to stop.",
		unsubscribed:  "Done: this channel will no longer get the changes of the official FAQ. Type \"subscribe\" to subscribe again.",
		notSubscribed: "This channel is not subscribed to changes of the official FAQ. Type \"subscribe\" to subscribe it.",
		notHere:       "Subscriptions are made in Slack, Teams or Discord: type \"subscribe\" in the channel that should get the changes of the official FAQ.",
		unavailable:   "Subscriptions are not offered by this service at the moment.",
	},
}

func announceFor(lang string) *announceWords {
	if w, ok := announceText[lang]; ok {
		return w
	}
	return announceText[LangFR]
}

// Reply renders the announcement in lang: the bot's words in lang, the
// official text as it is (French). Each entry is its own paragraph, so
// that adapters split between entries, never inside a cut.
func (a Announcement) Reply(lang string) Reply {
	w := announceFor(lang)
	doc := faq.Document{Reference: a.Reference, Issuer: a.Issuer, Date: a.Date}
	r := Reply{Lang: lang}
	r.Text = append(r.Text, fmt.Sprintf(w.head, a.Reference, a.Issuer))
	if !a.Date.Equal(a.DateFrom) && !a.DateFrom.IsZero() {
		r.Text = append(r.Text, fmt.Sprintf(w.dated, dateIn(lang, a.Date), dateIn(lang, a.DateFrom)))
	}
	for _, g := range []struct {
		label   string
		entries []AnnouncedEntry
	}{{w.changed, a.Changed}, {w.added, a.Added}, {w.removed, a.Removed}} {
		for _, e := range g.entries {
			p := g.label + " : " + e.Question
			if lang == LangEN {
				p = g.label + ": " + e.Question
			}
			if e.Answer != "" {
				p += "\n" + e.Answer
			}
			r.Text = append(r.Text, p)
		}
	}
	if len(a.Added)+len(a.Changed)+len(a.Removed) == 0 {
		r.Text = append(r.Text, w.dateOnly)
	}
	r.Text = append(r.Text, doc.SourceLabel(lang))
	if a.URL != "" {
		r.Actions = append(r.Actions, Action{Label: w.openDoc, URL: a.URL})
	}
	for _, l := range a.Links {
		r.Actions = append(r.Actions, Action{Label: clip(l.Title, maxButtonLabel), URL: l.URL})
	}
	r.Actions = append(r.Actions, Action{ID: ActUnsubscribe, Label: w.btnUnsub})
	return r
}

// dateIn is a date as the source line writes it.
func dateIn(lang string, t time.Time) string {
	l := faq.Document{Date: t}.SourceLabel(lang)
	if i := strings.LastIndex(l, ", "); i >= 0 {
		return l[i+2:]
	}
	return l
}

// chatPlatforms have channels; an adapter there that cannot post (Discord
// without a bot token) leaves Message.Channel empty.
var chatPlatforms = map[string]bool{PlatformSlack: true, PlatformTeams: true, PlatformDiscord: true}

// subscribe subscribes (on) or unsubscribes the message's channel. It
// writes no session: « abonner » said twice (or a turn decided again after
// a conflict) subscribes once.
func (t *turn) subscribe(on bool) Reply {
	w := announceFor(t.lang)
	ch := t.m.Channel
	switch {
	case ch.ID == "" && !chatPlatforms[t.m.Platform]:
		t.kind = "subscribe-elsewhere"
		return Reply{Text: []string{w.notHere}}
	case ch.ID == "" || t.e.subs == nil:
		t.kind = "subscribe-unavailable"
		return Reply{Text: []string{w.unavailable}}
	}
	if ch.Platform == "" {
		ch.Platform = t.m.Platform
	}
	ch.Lang = t.lang
	if on {
		t.kind = "subscribe"
		added, err := t.e.subs.Subscribe(t.ctx, ch)
		if err != nil {
			t.e.log.ErrorContext(t.ctx, "subscription not kept", "err", err)
			t.kind = "error"
			return Reply{Text: []string{t.ui().failure}}
		}
		msg := w.subscribed
		if !added {
			msg = w.already
		}
		return Reply{Text: []string{msg}, Actions: []Action{{ID: ActUnsubscribe, Label: w.btnUnsub}}}
	}
	t.kind = "unsubscribe"
	removed, err := t.e.subs.Unsubscribe(t.ctx, ch.Platform, ch.ID)
	if err != nil {
		t.e.log.ErrorContext(t.ctx, "unsubscription failed", "err", err)
		t.kind = "error"
		return Reply{Text: []string{t.ui().failure}}
	}
	msg := w.unsubscribed
	if !removed {
		msg = w.notSubscribed
	}
	return Reply{Text: []string{msg}, Actions: []Action{{ID: ActSubscribe, Label: w.btnSub}}}
}
