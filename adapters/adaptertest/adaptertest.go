// Package adaptertest is the conformance suite every platform adapter
// passes (in the manner of testing/slogtest): one script of messages — a
// question, the eligibility dialog with back and restart, questions asked
// during it, a verdict, the language commands, the escalation, a stale button, a long answer, a panic in the engine and a
// shutdown with work in flight — played through the adapter as its
// platform would, on the real engine and the official content. An adapter
// test only writes a Driver: how to deliver a message and read back what
// the adapter sent.
package adaptertest

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/rules"
	"github.com/qc-ia/conformbot/store/memstore"
)

// Button is a button the adapter showed: its label as the user reads it,
// and whatever the driver needs to click it (an action id, a number).
type Button struct {
	Label string
	Ref   string
}

// Out is what the adapter sent back for one message, flattened over all
// the platform messages (or cards, or blocks) it used.
type Out struct {
	Text     string   // every text shown, in order
	Buttons  []Button // every button shown, in order
	Messages int      // how many platform messages the reply took
	Limit    int      // the platform's length limit of one text piece (message, block), 0: none
	Lengths  []int    // the length of each text piece, as the platform counts it
}

// Button returns the first button labelled label.
func (o Out) Button(t testing.TB, label string) Button {
	t.Helper()
	for _, b := range o.Buttons {
		if b.Label == label {
			return b
		}
	}
	t.Fatalf("no %q button in %+v\n%s", label, o.Buttons, o.Text)
	return Button{}
}

// Driver plays one adapter as its platform would. Each test of the suite
// gets its own Driver, around its own engine.
type Driver interface {
	// Send delivers text typed by user and returns what the adapter sent.
	Send(t testing.TB, user, text string) Out
	// Click presses b, shown earlier to user, and returns what was sent.
	Click(t testing.TB, user string, b Button) Out
	// Shutdown stops the adapter (conversation.Adapter.Shutdown, or the
	// end of the session for the console).
	Shutdown(ctx context.Context) error
}

// NoOldButtons is implemented by a Driver whose platform cannot press a
// button of an earlier reply (the terminal numbers only the last one's).
type NoOldButtons interface{ NoOldButtons() bool }

// Script messages the suite's handler answers itself, around the engine.
const (
	TextLong  = "conformance: long"  // a reply longer than any platform message
	TextPanic = "conformance: panic" // the engine panics
	TextBlock = "conformance: block" // the engine waits for its context to end
)

// Handler is what a driver hands to its adapter: the real engine, with
// the script's three special messages. Started is told when a TextBlock
// call begins, Ended when it ends (with the context's error).
type Handler struct {
	engine  *conversation.Engine
	store   *memstore.Store // the engine's, also its subscriptions
	Started chan struct{}
	Ended   chan error
}

// LongWords is the reply to TextLong: numbered words, so that a lost or
// reordered piece shows.
var LongWords = func() []string {
	var w []string
	for i := range 5000 {
		w = append(w, "mot"+itoa(i))
		if i%40 == 39 {
			w[len(w)-1] += "."
		}
	}
	return w
}()

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// Handle implements conversation.Handler.
func (h *Handler) Handle(ctx context.Context, m conversation.Message) (conversation.Reply, error) {
	switch strings.TrimSpace(m.Text) {
	case TextLong:
		var paras []string
		for i := 0; i < len(LongWords); i += 150 {
			paras = append(paras, strings.Join(LongWords[i:min(i+150, len(LongWords))], " "))
		}
		return conversation.Reply{Lang: conversation.LangFR, Text: paras}, nil
	case TextPanic:
		panic("conformance: engine bug")
	case TextBlock:
		h.Started <- struct{}{}
		<-ctx.Done()
		h.Ended <- ctx.Err()
		return conversation.Reply{}, ctx.Err()
	}
	return h.engine.Handle(ctx, m)
}

var content = sync.OnceValues(func() (conversation.Options, error) {
	kb, err := faq.Default()
	if err != nil {
		return conversation.Options{}, err
	}
	ix, err := index.New(kb, index.Options{})
	if err != nil {
		return conversation.Options{}, err
	}
	rs, err := rules.Default()
	if err != nil {
		return conversation.Options{}, err
	}
	return conversation.Options{KB: kb, Index: ix, Rules: rs}, nil
})

// Engine is the real engine on the official content (built once per test
// binary) with its own in-memory store.
func Engine(t testing.TB) *conversation.Engine {
	t.Helper()
	e, _ := engine(t)
	return e
}

func engine(t testing.TB) (*conversation.Engine, *memstore.Store) {
	t.Helper()
	o, err := content()
	if err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	o.Store, o.Subscriptions = st, st
	o.EscalationEmail = contact
	return conversation.New(o), st
}

// NewHandler is Engine with the script's special messages.
func NewHandler(t testing.TB) *Handler {
	t.Helper()
	e, st := engine(t)
	return &Handler{engine: e, store: st, Started: make(chan struct{}, 1), Ended: make(chan error, 1)}
}

// Announcing is implemented by a Driver whose adapter is a
// conversation.Announcer: Announce posts r to ch through the adapter and
// returns what the platform received in that channel (the driver fails
// the test if it went anywhere else).
type Announcing interface {
	Announce(t testing.TB, ch conversation.Channel, r conversation.Reply) Out
}

// changedAnswer is the new official text of an edited entry in the
// announcement the suite sends.
const changedAnswer = "Texte officiel modifié pour l'essai de conformité des annonces."

// announcement is what a reload of the official FAQ with one answer
// edited announces.
func announcement(t testing.TB) conversation.Announcement {
	t.Helper()
	o, err := content()
	if err != nil {
		t.Fatal(err)
	}
	kb := *o.KB
	kb.Entries = append([]faq.Entry(nil), o.KB.Entries...)
	kb.Entries[0].Answer = changedAnswer
	a, ok := conversation.Changes(conversation.Summarize(o.KB), &kb)
	if !ok {
		t.Fatal("an edited answer announces nothing")
	}
	return a
}

// Words the script looks for: official content, and the vocabulary's.
const (
	answerText = "La suspension ne concerne pas l'utilisation individuelle" // version-web-copilot-chatgpt
	q1Text     = "organisme public visé à l'article 2"                      // the first dialog question
	q2Text     = "intelligence artificielle générative (IAG)"               // the second
	outOfScope = "Hors de la portée de la suspension"                       // the verdict when not a public body
	contact    = "encadrement.ia@mcn.gouv.qc.ca"
)

func want(t testing.TB, o Out, what string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(o.Text, w) {
			t.Fatalf("%s: the adapter's reply lacks %q:\n%s", what, w, o.Text)
		}
	}
}

// Run plays the script on the adapters newDriver builds around h.
func Run(t *testing.T, newDriver func(t *testing.T, h *Handler) Driver) {
	const user = "U1"
	start := func(t *testing.T) (Driver, *Handler) {
		t.Helper()
		h := NewHandler(t)
		return newDriver(t, h), h
	}

	t.Run("question", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		o := d.Send(t, user, "Puis-je encore utiliser ChatGPT?")
		want(t, o, "official answer", answerText, "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025")
	})

	t.Run("dialog with back and restart", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		l := conversation.LabelsFor(conversation.LangFR)
		o := d.Send(t, user, "admissibilité")
		want(t, o, "dialog start", q1Text)
		o = d.Click(t, user, o.Button(t, l.Yes))
		want(t, o, "after yes", q2Text)
		o = d.Click(t, user, o.Button(t, "Retour"))
		want(t, o, "back", q1Text)
		o = d.Click(t, user, o.Button(t, l.Yes))
		want(t, o, "yes again", q2Text)
		o = d.Click(t, user, o.Button(t, "Recommencer"))
		want(t, o, "restart", q1Text)
		if strings.Contains(o.Text, q2Text) {
			t.Errorf("restart still shows the second question:\n%s", o.Text)
		}
	})

	t.Run("verdict", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		o := d.Send(t, user, "admissibilité")
		o = d.Click(t, user, o.Button(t, conversation.LabelsFor(conversation.LangFR).No))
		want(t, o, "verdict", outOfScope, "Références (FAQ) :")
		// At a glance: the mark, the one-sentence conclusion, the answer it
		// rests on, and the source with its date.
		want(t, o, "verdict parts", "✅", "La suspension ne s'applique pas à votre situation.", "organisme public visé", "18 mars 2025")
		o = d.Click(t, user, o.Button(t, "Récapitulatif"))
		want(t, o, "receipt", "Récapitulatif — vérification d'admissibilité", "Version des règles : ", "→ Non", outOfScope)
	})

	t.Run("passage, no raw markup, follow-up", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		l := conversation.LabelsFor(conversation.LangFR)
		o := d.Send(t, user, "Notre assistant était déjà déployé avant la suspension, avec l'EFVP faite : peut-on le garder ?")
		want(t, o, "passage", l.Passage, "ceux qui, avant la date d'entrée en vigueur de la suspension, sont déjà effectifs", l.FullAnswer,
			"Règles relatives à la gestion des projets en ressources informationnelles")
		for _, raw := range []string{"(#)", "*En quoi"} {
			if strings.Contains(o.Text, raw) {
				t.Errorf("raw markup %q shown:\n%s", raw, o.Text)
			}
		}
		// Follow-ups are buttons in sentence case (the FAQ sets its questions in capitals).
		o = d.Click(t, user, o.Button(t, "En quoi consiste une « démarche structurée » ?"))
		want(t, o, "follow-up", "Une démarche structurée implique que l'organisme public")
	})

	t.Run("off-topic", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		o := d.Send(t, user, "Quelle est la météo demain ?")
		want(t, o, "off-topic", "Je réponds seulement aux questions sur l'indication d'application IA-RI-2025-001-OP")
		if strings.Contains(o.Text, conversation.DefaultEscalationEmail) {
			t.Errorf("off-topic reply offers the MCN's e-mail:\n%s", o.Text)
		}
	})

	t.Run("questions during the check", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		d.Send(t, user, "admissibilité")
		o := d.Send(t, user, "Puis-je encore utiliser ChatGPT?")
		want(t, o, "FAQ question mid-check", answerText, q1Text)
		o = d.Send(t, user, "assistant IAG sanction disciplinaire")
		want(t, o, "unanswered question mid-check", contact, q1Text)
		o = d.Send(t, user, "Quelle est la météo demain ?")
		want(t, o, "off-topic question mid-check", "Je réponds seulement aux questions", q1Text)
		if strings.Contains(o.Text, contact) {
			t.Errorf("off-topic question mid-check offers the MCN's e-mail:\n%s", o.Text)
		}
		o = d.Send(t, user, "oui")
		want(t, o, "the check goes on", q2Text)
	})

	t.Run("language commands", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		o := d.Send(t, user, "english")
		want(t, o, "english", "I will answer you in English")
		// The choice holds over a question typed in French.
		o = d.Send(t, user, "Puis-je encore utiliser ChatGPT?")
		want(t, o, "French question after english", answerText, "Source: FAQ IA-RI-2025-001-OP")
		o = d.Send(t, user, "langue")
		o = d.Click(t, user, o.Button(t, "Français"))
		want(t, o, "Français", "je vous réponds en français")
		o = d.Send(t, user, "Can I still use ChatGPT?")
		want(t, o, "English question after Français", answerText, "Source : FAQ IA-RI-2025-001-OP")
	})

	t.Run("escalation", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		o := d.Send(t, user, "contact")
		want(t, o, "escalation", contact)
	})

	t.Run("stale action", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		if n, ok := d.(NoOldButtons); ok && n.NoOldButtons() {
			t.Skip("this platform shows no buttons of earlier replies")
		}
		first := d.Send(t, user, "admissibilité")
		second := d.Click(t, user, first.Button(t, "Oui"))
		d.Send(t, user, "recommencer")
		// The second question's button, from before the restart.
		o := d.Click(t, user, second.Button(t, "Oui"))
		want(t, o, "stale button", "ne correspond plus", q1Text)
	})

	t.Run("subscribe and announce", func(t *testing.T) {
		t.Parallel()
		d, h := start(t)
		an, ok := d.(Announcing)
		if !ok {
			want(t, d.Send(t, user, "abonner"), "subscribe where no channel can be posted to", "Slack, Teams ou Discord")
			if subs, _ := h.store.Subscriptions(context.Background()); len(subs) != 0 {
				t.Errorf("subscribed %+v", subs)
			}
			return
		}
		want(t, d.Send(t, user, "abonner"), "subscribe", "ce canal recevra un message")
		subs, _ := h.store.Subscriptions(context.Background())
		if len(subs) != 1 || subs[0].ID == "" || subs[0].Lang != conversation.LangFR {
			t.Fatalf("subscriptions %+v; want this channel, in French", subs)
		}
		o := an.Announce(t, subs[0], announcement(t).Reply(subs[0].Lang))
		want(t, o, "announcement", "Le contenu officiel a changé", "Réponse modifiée", changedAnswer,
			"Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025")
		want(t, d.Click(t, user, o.Button(t, "Se désabonner")), "unsubscribe button", "ne recevra plus")
		if subs, _ := h.store.Subscriptions(context.Background()); len(subs) != 0 {
			t.Errorf("still subscribed after the button: %+v", subs)
		}
	})

	t.Run("long answer", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		o := d.Send(t, user, TextLong)
		got := strings.Fields(o.Text)
		i := 0
		for _, w := range got {
			if i < len(LongWords) && w == LongWords[i] {
				i++
			}
		}
		if i != len(LongWords) {
			t.Fatalf("long answer: word %d (%s) lost or out of order; %d messages", i, LongWords[i], o.Messages)
		}
		for n, l := range o.Lengths {
			if o.Limit > 0 && l > o.Limit {
				t.Errorf("message %d: length %d over the platform's %d", n, l, o.Limit)
			}
		}
		if o.Limit > 0 && len(o.Lengths) < 2 {
			t.Errorf("a %d-word answer in %d message(s) of at most %d", len(LongWords), o.Messages, o.Limit)
		}
	})

	t.Run("panic in the engine", func(t *testing.T) {
		t.Parallel()
		d, _ := start(t)
		o := d.Send(t, user, TextPanic)
		want(t, o, "panic", "Désolé, une erreur est survenue")
		if strings.Contains(o.Text, "engine bug") {
			t.Errorf("the panic value reached the user:\n%s", o.Text)
		}
		want(t, d.Send(t, user, "Puis-je encore utiliser ChatGPT?"), "after the panic", answerText)
	})

	t.Run("shutdown", func(t *testing.T) {
		t.Parallel()
		d, h := start(t)
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			// The reply to a cancelled call may never come (a post after
			// shutdown fails): this delivery's failures are not the test's.
			d.Send(lenient{t}, user, TextBlock)
		}()
		<-h.Started
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- d.Shutdown(ctx) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Shutdown did not return after its grace period")
		}
		if err := <-h.Ended; err == nil {
			t.Error("the engine call in flight was not cancelled")
		}
		select {
		case <-sent:
		case <-time.After(2 * time.Second):
		}
	})
}

// lenient is a TB whose failures only end the goroutine that reports them.
type lenient struct{ testing.TB }

func (lenient) Helper()                  {}
func (lenient) Log(...any)               {}
func (lenient) Logf(string, ...any)      {}
func (lenient) Error(...any)             {}
func (lenient) Errorf(string, ...any)    {}
func (lenient) Fatal(...any)             { runtime.Goexit() }
func (lenient) Fatalf(string, ...any)    { runtime.Goexit() }
func (lenient) Cleanup(func())           {}
func (lenient) Context() context.Context { return context.Background() }

// Suspended holds the answers of the official rules' longest path: a
// project covered by the suspension for which no exception applies.
var Suspended = map[string]string{"organisme_public": "yes", "assistant_iag": "yes", "usage_individuel_gratuit": "no",
	"experimentation_mcn": "no", "dossier_affaires_dpi": "no", "gestion_risques": "no", "avis_securite": "no",
	"qualite_donnees": "no", "dossier_opportunite": "no", "formation": "no", "declaration_collecte": "no",
	"deploye_avant_suspension": "no", "approuve_securite": "no", "efvp": "no", "autorisation_dpi": "no"}

// Verdict plays answers through the real engine by clicking the
// question's buttons, in the language of locale, and returns the verdict's
// reply as renderers get it.
func Verdict(t testing.TB, locale string, answers map[string]string) conversation.Reply {
	t.Helper()
	e := Engine(t)
	m := conversation.Message{Platform: "test", UserID: "u", ConversationID: "c", Locale: locale, Action: conversation.ActEligStart}
	for range 30 {
		r, err := e.Handle(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != nil {
			return r
		}
		if r.Question == nil {
			t.Fatalf("neither a question nor a verdict: %s", r.PlainText())
		}
		v, ok := answers[r.Question.Fact]
		if !ok {
			v = "unknown"
		}
		m.Action = ""
		for _, c := range r.Question.Choices {
			if strings.HasSuffix(c.ID, ":"+v) {
				m.Action = c.ID
			}
		}
		if m.Action == "" {
			t.Fatalf("no %q choice for %s", v, r.Question.Fact)
		}
	}
	t.Fatal("no verdict after 30 answers")
	return conversation.Reply{}
}

// Longest holds the answers of the official rules' longest dialog (15
// questions, every one that can be asked): an exception found last.
var Longest = map[string]string{"organisme_public": "yes", "assistant_iag": "yes", "usage_individuel_gratuit": "no",
	"experimentation_mcn": "no", "dossier_affaires_dpi": "no", "gestion_risques": "yes", "avis_securite": "yes",
	"qualite_donnees": "yes", "dossier_opportunite": "yes", "formation": "yes", "declaration_collecte": "no",
	"deploye_avant_suspension": "yes", "approuve_securite": "yes", "efvp": "no", "autorisation_dpi": "yes"}
