package conversation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/store/memstore"
)

func TestSubscribeCommands(t *testing.T) {
	t.Parallel()
	f := load(t)
	st := memstore.New()
	e := conversation.New(conversation.Options{KB: f.kb, Index: f.ix, Rules: f.rs, Store: st, Subscriptions: st})
	ch := conversation.Channel{ID: "19:chan@thread.tacv2", Address: "https://smba.example/amer/"}
	m := conversation.Message{Platform: conversation.PlatformTeams, UserID: "u1", ConversationID: "19:chan@thread.tacv2;messageid=9", Channel: ch}
	steps := []struct {
		text, action string
		want         string // in the reply
		subscribed   bool
		lang         string
	}{
		{text: "abonner", want: "ce canal recevra un message", subscribed: true, lang: "fr"},
		{text: "S'abonner", want: "déjà abonné", subscribed: true, lang: "fr"},
		{text: "subscribe", want: "already subscribed", subscribed: true, lang: "en"}, // the language follows
		{text: "désabonner", want: "ne recevra plus", lang: "fr"},
		{text: "unsubscribe", want: "not subscribed"},
		{action: conversation.ActSubscribe, want: "will get a message", subscribed: true, lang: "en"},
		{action: conversation.ActUnsubscribe, want: "no longer get"},
	}
	for i, s := range steps {
		msg := m
		msg.Text, msg.Action = s.text, s.action
		r, err := e.Handle(context.Background(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.PlainText(); !strings.Contains(got, s.want) {
			t.Errorf("step %d (%q%s): reply %q; want it to contain %q", i, s.text, s.action, got, s.want)
		}
		subs, _ := st.Subscriptions(context.Background())
		if s.subscribed {
			want := conversation.Channel{Platform: "teams", ID: ch.ID, Address: ch.Address, Lang: s.lang}
			if len(subs) != 1 || subs[0] != want {
				t.Errorf("step %d: subscriptions %+v; want [%+v]", i, subs, want)
			}
		} else if len(subs) != 0 {
			t.Errorf("step %d: subscriptions %+v; want none", i, subs)
		}
	}
}

func TestSubscribeWhereNotOffered(t *testing.T) {
	t.Parallel()
	f := load(t)
	st := memstore.New()
	for _, c := range []struct {
		name string
		subs conversation.Subscriptions
		m    conversation.Message
		want string
	}{
		{"web page", st, conversation.Message{Platform: conversation.PlatformWeb, UserID: "u", Text: "abonner"}, "Slack, Teams ou Discord"},
		{"terminal, English", st, conversation.Message{Platform: conversation.PlatformConsole, UserID: "u", Text: "subscribe"}, "Slack, Teams or Discord"},
		{"Discord without a bot token", st, conversation.Message{Platform: conversation.PlatformDiscord, UserID: "u", Text: "abonner"}, "pas offerts"},
		{"no store", nil, conversation.Message{Platform: conversation.PlatformSlack, UserID: "u", Text: "abonner",
			Channel: conversation.Channel{ID: "C1"}}, "pas offerts"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := conversation.New(conversation.Options{KB: f.kb, Index: f.ix, Rules: f.rs, Store: memstore.New(), Subscriptions: c.subs})
			r, _ := e.Handle(context.Background(), c.m)
			if got := r.PlainText(); !strings.Contains(got, c.want) {
				t.Errorf("reply %q; want %q", got, c.want)
			}
		})
	}
	if subs, _ := st.Subscriptions(context.Background()); len(subs) != 0 {
		t.Errorf("subscribed %v from a surface without channels", subs)
	}
}

// Subscribing mid-dialog keeps the pending question.
func TestSubscribeKeepsDialog(t *testing.T) {
	t.Parallel()
	f := load(t)
	st := memstore.New()
	e := conversation.New(conversation.Options{KB: f.kb, Index: f.ix, Rules: f.rs, Store: st, Subscriptions: st})
	m := conversation.Message{Platform: conversation.PlatformSlack, UserID: "u", ConversationID: "C1", Channel: conversation.Channel{ID: "C1"}}
	m.Text = "admissibilité"
	first, _ := e.Handle(context.Background(), m)
	m.Text = "abonner"
	r, _ := e.Handle(context.Background(), m)
	if r.Question == nil || first.Question == nil || r.Question.Fact != first.Question.Fact {
		t.Fatalf("after « abonner » mid-dialog: question %+v; want %+v again", r.Question, first.Question)
	}
}

func TestChanges(t *testing.T) {
	t.Parallel()
	base, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	prev := conversation.Summarize(base)
	edit := func(f func(kb *faq.KB)) *faq.KB {
		kb := *base
		kb.Entries = append([]faq.Entry(nil), base.Entries...)
		f(&kb)
		return &kb
	}
	first := base.Entries[0]
	newAnswer := "Nouvelle réponse officielle, voir [Loi sur la gouvernance](#)."
	cases := []struct {
		name                    string
		kb                      *faq.KB
		ok                      bool
		added, changed, removed []string
		dateChanged             bool
	}{
		{name: "same content", kb: base},
		{name: "alternates only", kb: edit(func(kb *faq.KB) {
			kb.Entries[0].Alternates = append(kb.Entries[0].Alternates, "une autre façon de le demander")
		})},
		{name: "answer changed", kb: edit(func(kb *faq.KB) { kb.Entries[0].Answer = newAnswer }), ok: true, changed: []string{first.ID}},
		{name: "entry added and removed", kb: edit(func(kb *faq.KB) {
			kb.Entries[1] = faq.Entry{ID: "nouvelle", Question: "Nouvelle question?", Answer: "Texte."}
		}), ok: true, added: []string{"nouvelle"}, removed: []string{base.Entries[1].ID}},
		{name: "date only", kb: edit(func(kb *faq.KB) { kb.Doc.Date = kb.Doc.Date.AddDate(0, 1, 0) }), ok: true, dateChanged: true},
	}
	ids := func(es []conversation.AnnouncedEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok := conversation.Changes(prev, c.kb)
			if ok != c.ok {
				t.Fatalf("Changes ok = %v; want %v", ok, c.ok)
			}
			if got := conversation.Summarize(c.kb).Version() == prev.Version(); got == (c.ok) {
				t.Errorf("versions equal = %v; want %v", got, !c.ok)
			}
			for _, g := range []struct {
				name      string
				got, want []string
			}{{"added", ids(a.Added), c.added}, {"changed", ids(a.Changed), c.changed}, {"removed", ids(a.Removed), c.removed}} {
				if strings.Join(g.got, ",") != strings.Join(g.want, ",") {
					t.Errorf("%s = %v; want %v", g.name, g.got, g.want)
				}
			}
			if c.dateChanged && a.Date.Equal(a.DateFrom) {
				t.Error("date change not seen")
			}
		})
	}
	t.Run("reply", func(t *testing.T) {
		kb := edit(func(kb *faq.KB) {
			kb.Entries[0].Answer = newAnswer
			kb.Doc.Date = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		})
		a, _ := conversation.Changes(prev, kb)
		fr := a.Reply(conversation.LangFR).PlainText()
		for _, want := range []string{"Le contenu officiel a changé", "Réponse modifiée : " + first.Question,
			"Nouvelle réponse officielle, voir Loi sur la gouvernance.", "1er mai 2026", "18 mars 2025"} {
			if !strings.Contains(fr, want) {
				t.Errorf("French announcement lacks %q:\n%s", want, fr)
			}
		}
		en := a.Reply(conversation.LangEN)
		if txt := en.PlainText(); !strings.Contains(txt, "Answer changed: "+first.Question) || !strings.Contains(txt, "May 1, 2026") {
			t.Errorf("English announcement:\n%s", txt)
		}
		last := en.Actions[len(en.Actions)-1]
		if last.ID != conversation.ActUnsubscribe {
			t.Errorf("last button %+v; want the unsubscribe button", last)
		}
	})
}
