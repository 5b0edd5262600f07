package conversation_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/rules"
	"github.com/qc-ia/conformbot/store/memstore"
	"github.com/qc-ia/conformbot/store/sqlite"
)

// content is the official FAQ, its index and the rules, built once: the
// index is safe for concurrent use and the engine only reads the others.
var content = sync.OnceValues(func() (*fixture, error) {
	kb, err := faq.Default()
	if err != nil {
		return nil, err
	}
	ix, err := index.New(kb, index.Options{})
	if err != nil {
		return nil, err
	}
	rs, err := rules.Default()
	if err != nil {
		return nil, err
	}
	return &fixture{kb, ix, rs}, nil
})

type fixture struct {
	kb *faq.KB
	ix *index.Index
	rs *rules.RuleSet
}

func load(t testing.TB) *fixture {
	t.Helper()
	f, err := content()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// chat is one user talking to a fresh engine.
type chat struct {
	t     testing.TB
	e     *conversation.Engine
	store conversation.Store
	m     conversation.Message // the user's ids and locale
}

func newChat(t testing.TB) (*chat, *fixture) {
	t.Helper()
	return newChatWith(t, memstore.New())
}

func newChatWith(t testing.TB, st conversation.Store) (*chat, *fixture) {
	t.Helper()
	f := load(t)
	e := conversation.New(conversation.Options{KB: f.kb, Index: f.ix, Rules: f.rs, Store: st})
	return &chat{t: t, e: e, store: st, m: conversation.Message{Platform: conversation.PlatformWeb, UserID: "U-SECRET-42", ConversationID: "C-SECRET-7"}}, f
}

func (c *chat) say(text string) conversation.Reply {
	c.t.Helper()
	m := c.m
	m.Text = text
	return c.send(m)
}

func (c *chat) click(id string) conversation.Reply {
	c.t.Helper()
	m := c.m
	m.Action = id
	return c.send(m)
}

func (c *chat) send(m conversation.Message) conversation.Reply {
	c.t.Helper()
	r, err := c.e.Handle(context.Background(), m)
	if err != nil {
		c.t.Fatalf("Handle(%q/%q) error %v; want a reply", m.Text, m.Action, err)
	}
	if r.IsEmpty() {
		c.t.Fatalf("Handle(%q/%q) gave an empty reply", m.Text, m.Action)
	}
	raw := append([]conversation.Action(nil), r.Actions...)
	if r.Question != nil {
		raw = append(raw, r.Question.Choices...)
	}
	for _, sg := range r.Suggestions {
		raw = append(raw, sg.Action)
	}
	for _, a := range raw {
		if len(a.ID) > 100 || (a.ID == "" && a.URL == "") || a.Label == "" {
			c.t.Errorf("bad action %+v in reply to %q/%q", a, m.Text, m.Action)
		}
	}
	return r
}

func hasAction(r conversation.Reply, id string) bool {
	for _, a := range r.Buttons() {
		if a.ID == id {
			return true
		}
	}
	return false
}

// firstFact is the question the rules ask first.
func firstFact(f *fixture) string { return f.rs.Evaluate(rules.Facts{}).Next }

func TestCommands(t *testing.T) {
	t.Parallel()
	f := load(t)
	tests := []struct {
		text      string
		lang      string
		wantFact  bool   // a dialog question
		wantEsc   bool   // an escalation
		wantActID string // an action the reply must offer
	}{
		{"aide", "fr", false, false, conversation.ActEligStart},
		{"Help", "en", false, false, conversation.ActEligStart},
		{"/aide", "fr", false, false, conversation.ActEligStart},
		{"admissibilité", "fr", true, false, conversation.ActEligCancel},
		{"admissibilite", "fr", true, false, conversation.ActEligCancel},
		{"Eligibility", "en", true, false, conversation.ActEligCancel},
		{"recommencer", "fr", true, false, conversation.ActEligCancel},
		{"restart", "en", true, false, conversation.ActEligCancel},
		{"contact", "fr", false, true, ""},
		{"escalader", "fr", false, true, ""},
		{"parler à un humain", "fr", false, true, ""},
		{"talk to a human", "en", false, true, ""},
		{"annuler", "fr", false, false, conversation.ActEligStart}, // nothing to cancel: says so
		{"retour", "fr", false, false, conversation.ActEligStart},
		{"back", "en", false, false, conversation.ActEligStart},
		{"Bonjour!", "fr", false, false, conversation.ActEligStart},
		{"hello", "en", false, false, conversation.ActEligStart},
		{"merci", "fr", false, false, ""},
		{"thank you", "en", false, false, ""},
		{"Merci beaucoup pour votre aide!", "fr", false, false, ""},
		{"Bonjour à tous", "fr", false, false, conversation.ActEligStart},
		{"thanks a lot for your help", "en", false, false, ""},
		{"   ", "fr", false, false, conversation.ActEligStart},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			c, _ := newChat(t)
			r := c.say(tt.text)
			if r.Lang != tt.lang {
				t.Errorf("Lang = %q; want %q", r.Lang, tt.lang)
			}
			if r.Answer != nil {
				t.Errorf("a command got an FAQ answer %q", r.Answer.EntryID)
			}
			if got := r.Question != nil; got != tt.wantFact {
				t.Fatalf("question = %v; want %v", got, tt.wantFact)
			}
			if tt.wantFact {
				fact, _ := f.rs.Fact(firstFact(f))
				if r.Question.Fact != fact.Name || r.Question.Prompt != fact.Question(tt.lang) || r.Question.Step != 1 || len(r.Question.Choices) != 3 {
					t.Errorf("question = %+v; want step 1 of %s in %s with 3 choices", r.Question, fact.Name, tt.lang)
				}
			}
			if got := r.Escalation != nil; got != tt.wantEsc {
				t.Errorf("escalation = %v; want %v", got, tt.wantEsc)
			}
			if tt.wantEsc && (r.Escalation.Email != conversation.DefaultEscalationEmail || !strings.HasPrefix(r.Escalation.Mailto, "mailto:"+conversation.DefaultEscalationEmail+"?")) {
				t.Errorf("escalation = %+v; want the default address", r.Escalation)
			}
			if tt.wantActID != "" && !hasAction(r, tt.wantActID) {
				t.Errorf("actions %+v lack %q", r.Buttons(), tt.wantActID)
			}
			if len(r.Text) == 0 && r.Question == nil && r.Escalation == nil {
				t.Error("reply has no text")
			}
		})
	}
}

type scenario struct {
	Story   string            `json:"story"`
	Facts   map[string]string `json:"facts"`
	Verdict string            `json:"verdict"`
}

func readScenarios(t *testing.T) []scenario {
	t.Helper()
	fh, err := os.Open("testdata/dev_scenarios.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []scenario
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		var s scenario
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		t.Fatal("no scenarios")
	}
	return out
}

// Each scenario is played to its verdict by clicking, and again by typing
// in French and in English: the engine asks what the rules ask, in the same
// order, and ends on the rules' verdict, which is the expected one.
func TestDialogToVerdict(t *testing.T) {
	t.Parallel()
	f := load(t)
	typed := map[string]map[string][]string{
		"fr": {conversation.Yes: {"oui", "1", "Oui."}, conversation.No: {"non", "2", "NON"}, conversation.Unknown: {"je ne sais pas", "jsp", "3"}},
		"en": {conversation.Yes: {"yes", "1"}, conversation.No: {"no", "2"}, conversation.Unknown: {"I don't know", "3"}},
	}
	for _, s := range readScenarios(t) {
		for _, mode := range []string{"click", "fr", "en"} {
			t.Run(mode+"/"+s.Verdict+"/"+s.Story[:min(30, len(s.Story))], func(t *testing.T) {
				t.Parallel()
				want := rules.Facts{}
				for k, v := range s.Facts {
					want[k] = rules.Value(v)
				}
				wantOutcome, wantAsked := f.rs.Play(want)
				c, _ := newChat(t)
				start := map[string]string{"click": "", "fr": "admissibilité", "en": "eligibility"}[mode]
				var r conversation.Reply
				if start == "" {
					r = c.click(conversation.ActEligStart)
				} else {
					r = c.say(start)
				}
				var asked []string
				for i := 0; r.Verdict == nil; i++ {
					q := r.Question
					if q == nil || i > 20 {
						t.Fatalf("after %v: no question and no verdict: %+v", asked, r)
					}
					if q.Step != len(asked)+1 {
						t.Errorf("step = %d; want %d", q.Step, len(asked)+1)
					}
					if left := len(wantAsked) - len(asked); q.Remaining < max(left, 1) {
						t.Errorf("step %d: at most %d questions remain, but this dialog asks %d more", q.Step, q.Remaining, left)
					}
					asked = append(asked, q.Fact)
					v := s.Facts[q.Fact]
					if v == "" {
						v = conversation.Unknown
					}
					if mode == "click" {
						r = c.click("elig:ans:" + q.Fact + ":" + v)
						continue
					}
					forms := typed[mode][v]
					r = c.say(forms[i%len(forms)])
					if r.Lang != mode && strings.Trim(forms[i%len(forms)], "123") != "" {
						t.Errorf("typed %q: Lang = %q; want %q", forms[i%len(forms)], r.Lang, mode)
					}
				}
				if strings.Join(asked, ",") != strings.Join(wantAsked, ",") {
					t.Errorf("asked %v; the rules ask %v", asked, wantAsked)
				}
				if r.Verdict.Code != wantOutcome.Verdict || r.Verdict.Code != s.Verdict {
					t.Errorf("verdict %q; rules say %q, scenario expects %q", r.Verdict.Code, wantOutcome.Verdict, s.Verdict)
				}
				if r.Verdict.Title == "" || r.Verdict.Explanation == "" {
					t.Errorf("verdict lacks title or explanation: %+v", r.Verdict)
				}
				for _, cit := range r.Verdict.Citations {
					if _, ok := f.kb.Entry(cit.EntryID); !ok || cit.Question == cit.EntryID {
						t.Errorf("citation %+v does not name an FAQ entry", cit)
					}
				}
				if r.Verdict.Conclusion == "" || r.Verdict.Source.Label == "" || len(r.Verdict.Answers) == 0 {
					t.Errorf("verdict lacks its conclusion, source or answers: %+v", r.Verdict)
				}
				for _, cit := range r.Verdict.Citations {
					if cit.Action.ID == "" {
						t.Errorf("citation %s does not open as a follow-up", cit.EntryID)
					}
				}
				if got := r.Escalation != nil; got != f.rs.VerdictContact(s.Verdict) {
					t.Errorf("escalation offered = %v for verdict %s", got, s.Verdict)
				}
				if !hasAction(r, conversation.ActEligRestart) {
					t.Error("verdict without a restart button")
				}
			})
		}
	}
}

func TestDialogNavigation(t *testing.T) {
	t.Parallel()
	f := load(t)
	first := firstFact(f)
	second := f.rs.Evaluate(rules.Facts{first: rules.Yes}).Next

	t.Run("back, restart, cancel", func(t *testing.T) {
		t.Parallel()
		c, _ := newChat(t)
		c.say("admissibilité")
		r := c.say("oui")
		if r.Question == nil || r.Question.Fact != second || r.Question.Step != 2 || !hasAction(r, conversation.ActEligBack) {
			t.Fatalf("after oui: %+v; want step 2 (%s) with a back button", r.Question, second)
		}
		r = c.click(conversation.ActEligBack)
		if r.Question == nil || r.Question.Fact != first || r.Question.Step != 1 {
			t.Fatalf("after back: %+v; want step 1 (%s)", r.Question, first)
		}
		r = c.say("retour")
		if r.Question == nil || r.Question.Fact != first || len(r.Text) == 0 {
			t.Fatalf("back at the first question: %+v; want it again with a notice", r)
		}
		c.say("oui")
		r = c.say("recommencer")
		if r.Question == nil || r.Question.Step != 1 {
			t.Fatalf("after restart: %+v; want step 1", r.Question)
		}
		c.say("oui")
		r = c.click(conversation.ActEligCancel)
		if r.Question != nil || !hasAction(r, conversation.ActEligStart) {
			t.Fatalf("after cancel: %+v; want no question and a start button", r)
		}
		// The dialog is gone: "oui" is no longer an answer, nor a question to keep.
		if r := c.say("oui"); r.Question != nil || r.Answer != nil || r.Escalation != nil || !hasAction(r, conversation.ActEligStart) {
			t.Errorf("oui after cancel: %+v; want a notice and a start button", r)
		}
		if un, _ := c.store.Unanswered(context.Background(), 10); len(un) != 0 {
			t.Errorf("oui after cancel kept as unanswered: %+v", un)
		}
	})

	t.Run("question mid-dialog keeps the dialog", func(t *testing.T) {
		t.Parallel()
		c, f := newChat(t)
		c.say("admissibilité")
		c.say("oui")
		e, _ := f.kb.Entry("duree-suspension")
		r := c.say(e.Question)
		if r.Answer == nil || r.Answer.EntryID != e.ID || r.Answer.Text != unmarked(e.Answer) {
			t.Fatalf("mid-dialog question: answer %+v; want %s verbatim", r.Answer, e.ID)
		}
		if r.Question == nil || r.Question.Fact != second || r.Question.Step != 2 {
			t.Fatalf("mid-dialog question: pending question %+v; want step 2 again", r.Question)
		}
		r = c.say("non")
		if r.Question != nil && r.Question.Step != 3 {
			t.Errorf("after the answer, non: step %d; want 3 (the dialog went on)", r.Question.Step)
		}
	})

	t.Run("stale and unknown actions", func(t *testing.T) {
		t.Parallel()
		c, _ := newChat(t)
		for _, id := range []string{"elig:ans:" + first + ":yes", "elig:back", "elig:cancel", "zzz", "faq:no-such-entry",
			"fb:no-such-entry:up", "fb:contact:sideways", "elig:ans::", "elig:ans:" + first + ":maybe"} {
			r := c.click(id)
			if r.Question != nil || r.Answer != nil || len(r.Text) == 0 {
				t.Errorf("action %q with no dialog: %+v; want a notice only", id, r)
			}
		}
		c.click(conversation.ActEligStart)
		c.click("elig:ans:" + first + ":yes")
		// The first question's button again: already answered.
		r := c.click("elig:ans:" + first + ":no")
		if r.Question == nil || r.Question.Fact != second || len(r.Text) == 0 {
			t.Errorf("old button: %+v; want a notice and the current question", r)
		}
		r = c.click("elig:ans:no_such_fact:yes")
		if r.Question == nil || r.Question.Fact != second || len(r.Text) == 0 {
			t.Errorf("unknown fact: %+v; want a notice and the current question", r)
		}
		// Finish, then click an answer of the finished dialog.
		c.click(conversation.ActEligRestart)
		r = c.click("elig:ans:" + first + ":no")
		for r.Verdict == nil {
			r = c.click("elig:ans:" + r.Question.Fact + ":no")
		}
		r = c.click("elig:ans:" + second + ":yes")
		if r.Verdict == nil || len(r.Text) == 0 {
			t.Errorf("answer after the verdict: %+v; want a notice and the verdict", r)
		}
	})
}

func TestLanguageFollowsMessage(t *testing.T) {
	t.Parallel()
	c, f := newChat(t)
	r := c.say("Can I still use the web version of ChatGPT?")
	if r.Lang != "en" || r.Answer == nil || !strings.HasPrefix(r.Answer.Source.Label, "Source: ") {
		t.Fatalf("English question: lang %q answer %+v; want en with an English source line", r.Lang, r.Answer)
	}
	e, _ := f.kb.Entry(r.Answer.EntryID)
	if r.Answer.Text != unmarked(e.Answer) || r.Answer.Question != e.Question {
		t.Error("the answer is not the official entry verbatim")
	}
	r = c.say("eligibility")
	fact, _ := f.rs.Fact(r.Question.Fact)
	if r.Question.Prompt != fact.Question("en") {
		t.Errorf("prompt %q; want the English question", r.Question.Prompt)
	}
	// "1" says nothing of its language: the conversation's stays.
	if r = c.say("1"); r.Lang != "en" {
		t.Errorf(`"1" after English: Lang %q; want en`, r.Lang)
	}
	if r = c.say("je ne sais pas"); r.Lang != "fr" || (r.Question != nil && !strings.Contains(r.Question.Prompt, " ")) {
		t.Errorf("French answer: Lang %q; want fr", r.Lang)
	}
	if r.Question != nil {
		fact, _ := f.rs.Fact(r.Question.Fact)
		if r.Question.Prompt != fact.Question("fr") {
			t.Errorf("prompt %q; want the French question", r.Question.Prompt)
		}
	}

	// A locale hint decides only when the text gives no clue.
	c2, _ := newChat(t)
	c2.m.Locale = "en-US"
	if r := c2.say("ChatGPT"); r.Lang != "en" {
		t.Errorf("no clue, locale en-US: Lang %q; want en", r.Lang)
	}
	if r := c2.say("Est-ce que mon organisation est concernée ?"); r.Lang != "fr" {
		t.Errorf("French text, locale en-US: Lang %q; want fr", r.Lang)
	}
}

func TestFallbackEscalationAndRedaction(t *testing.T) {
	t.Parallel()
	c, _ := newChat(t)
	c.m.Platform = conversation.PlatformSlack
	q := "Quelle sanction disciplinaire pour un assistant IAG? Écrivez-moi à jean.tremblay@exemple.ca ou au 514-555-1234, NAS 123 456 789"
	r := c.say(q)
	if r.Answer != nil {
		t.Fatalf("out-of-scope question answered with %s", r.Answer.EntryID)
	}
	if r.Escalation == nil || len(r.Text) == 0 {
		t.Fatalf("fallback: %+v; want a notice and an escalation", r)
	}
	var mail *conversation.Action
	for i, a := range r.Actions {
		if a.URL != "" {
			mail = &r.Actions[i]
		}
	}
	if mail == nil || mail.URL != r.Escalation.Mailto {
		t.Fatalf("no mailto button for %s", r.Escalation.Mailto)
	}
	u, err := url.Parse(r.Escalation.Mailto)
	if err != nil || u.Opaque != conversation.DefaultEscalationEmail {
		t.Fatalf("mailto %q: %v", r.Escalation.Mailto, err)
	}
	body := u.Query().Get("body") + u.Query().Get("subject")
	if !strings.Contains(body, "sanction disciplinaire") {
		t.Errorf("mail body %q lacks the question", body)
	}
	for _, secret := range []string{"U-SECRET-42", "C-SECRET-7", "slack", "jean.tremblay", "555-1234", "123 456 789"} {
		if strings.Contains(body, secret) || strings.Contains(r.Escalation.Body, secret) {
			t.Errorf("mail holds %q: %q", secret, body)
		}
	}
	un, _ := c.store.Unanswered(context.Background(), 10)
	if len(un) != 1 {
		t.Fatalf("unanswered kept: %d; want 1", len(un))
	}
	for _, secret := range []string{"jean.tremblay", "555-1234", "123 456 789"} {
		if strings.Contains(un[0].Text, secret) {
			t.Errorf("kept question holds %q: %q", secret, un[0].Text)
		}
	}
	if !strings.Contains(un[0].Text, "[courriel]") || !strings.Contains(un[0].Text, "[NAS]") {
		t.Errorf("kept question %q; want redaction marks", un[0].Text)
	}

	// After an indetermine verdict, the mail holds the answers and the verdict.
	c.say("admissibilité")
	r = c.say("je ne sais pas")
	for r.Verdict == nil {
		r = c.say("je ne sais pas")
	}
	if r.Verdict.Code != "indetermine" || r.Escalation == nil {
		t.Fatalf("all unknown: verdict %q, escalation %v; want indetermine with an escalation", r.Verdict.Code, r.Escalation != nil)
	}
	if !strings.Contains(r.Escalation.Body, r.Verdict.Title) || strings.Contains(r.Escalation.Body, "U-SECRET") {
		t.Errorf("dialog mail %q; want the verdict and no user id", r.Escalation.Body)
	}
}

func TestFeedback(t *testing.T) {
	t.Parallel()
	c, f := newChat(t)
	e := f.kb.Entries[0]
	r := c.click("faq:" + e.ID)
	if r.Answer == nil || r.Answer.EntryID != e.ID || !hasAction(r, "fb:"+e.ID+":up") || !hasAction(r, "fb:"+e.ID+":down") {
		t.Fatalf("faq action: %+v; want the entry with feedback buttons", r)
	}
	c.click("fb:" + e.ID + ":up")
	c.click("fb:" + e.ID + ":up") // a second vote of the same session is not counted
	counts, _ := c.store.FeedbackCounts(context.Background())
	if len(counts) != 1 || counts[0] != (conversation.FeedbackCount{EntryID: e.ID, Up: 1}) {
		t.Errorf("counts = %+v; want one up vote on %s", counts, e.ID)
	}
}

func TestLongText(t *testing.T) {
	t.Parallel()
	c, f := newChat(t)
	e, _ := f.kb.Entry("contact")
	r := c.say(strings.Repeat(e.Question+" ", 2*conversation.MaxText/len(e.Question)))
	if len(r.Text) == 0 || r.Answer == nil || r.Answer.EntryID != e.ID {
		t.Errorf("long text: notice %v, answer %+v; want a notice and the answer to its start", r.Text, r.Answer)
	}
}

// Messages of one user arriving at once are applied one after the other:
// each sees the previous one's answer, so every step number is distinct.
func TestConcurrentMessagesOfOneUser(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) conversation.Store{
		"memory": func(*testing.T) conversation.Store { return memstore.New() },
		"sqlite": func(t *testing.T) conversation.Store {
			st, err := sqlite.Open(context.Background(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, _ := newChatWith(t, open(t))
			c.say("admissibilité")
			const n = 3
			steps := make(chan int, n)
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() {
					m := c.m
					m.Text = "je ne sais pas"
					r, err := c.e.Handle(context.Background(), m)
					if err != nil {
						t.Error(err)
					}
					if r.Question != nil {
						steps <- r.Question.Step
					} else {
						steps <- 0 // verdict
					}
				})
			}
			wg.Wait()
			close(steps)
			seen := map[int]bool{}
			for s := range steps {
				if s != 0 && seen[s] {
					t.Errorf("step %d reached twice: two messages read the same session", s)
				}
				seen[s] = true
			}
			// The session holds all n answers: the next question is step n+1.
			if r := c.say("aide"); r.Question != nil && r.Question.Step != n+1 {
				t.Errorf("after %d answers at once: step %d; want %d", n, r.Question.Step, n+1)
			}
		})
	}
}

func TestGreetingWithQuestion(t *testing.T) {
	t.Parallel()
	c, _ := newChat(t)
	r := c.say("Bonjour, puis-je encore utiliser la version web de ChatGPT?")
	if r.Answer == nil || r.Answer.EntryID != "version-web-copilot-chatgpt" {
		t.Errorf("greeting then question: answer %+v; want version-web-copilot-chatgpt", r.Answer)
	}
}

// The e-mail draft of a long dialog stays a link that mail clients open.
func TestDialogMailtoLength(t *testing.T) {
	t.Parallel()
	c, _ := newChat(t)
	// In scope and not individual use: every exception is asked.
	given := map[string]string{"organisme_public": "yes", "assistant_iag": "yes", "usage_individuel_gratuit": "no"}
	r := c.click(conversation.ActEligStart)
	for r.Verdict == nil {
		v := given[r.Question.Fact]
		if v == "" {
			v = "unknown"
		}
		r = c.click("elig:ans:" + r.Question.Fact + ":" + v)
	}
	if r.Escalation == nil || len(r.Escalation.Mailto) > 2000 {
		t.Fatalf("verdict %s: mailto of %d bytes; want at most 2000", r.Verdict.Code, len(r.Escalation.Mailto))
	}
	t.Logf("%d bytes:\n%s", len(r.Escalation.Mailto), r.Escalation.Body)
}

// Logs hold neither the message text nor the user's ids, unless the
// operator opts in to the text.
func TestLogsHoldNoUserData(t *testing.T) {
	t.Parallel()
	f := load(t)
	for _, logText := range []bool{false, true} {
		var buf strings.Builder // Handle logs before it returns
		logger := slog.New(slog.NewTextHandler(&buf, nil))
		e := conversation.New(conversation.Options{KB: f.kb, Index: f.ix, Rules: f.rs, Store: memstore.New(), Logger: logger, LogText: logText})
		m := conversation.Message{Platform: "slack", UserID: "U-SECRET-42", ConversationID: "C-SECRET-7", ThreadID: "T-SECRET",
			Text: "Ma question confidentielle sur le stationnement, jean@exemple.ca"}
		if _, err := e.Handle(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, s := range []string{"U-SECRET", "C-SECRET", "T-SECRET"} {
			if strings.Contains(out, s) {
				t.Errorf("LogText=%v: log holds %q:\n%s", logText, s, out)
			}
		}
		if got := strings.Contains(out, "confidentielle"); got != logText {
			t.Errorf("LogText=%v: text logged = %v:\n%s", logText, got, out)
		}
		if !strings.Contains(out, "kind=off-topic") || !strings.Contains(out, "session=") {
			t.Errorf("log lacks the reply kind or the session hash:\n%s", out)
		}
	}
}

// STORE_UNANSWERED=off: the fallback still offers the mail, and nothing is kept.
func TestNoUnanswered(t *testing.T) {
	t.Parallel()
	f := load(t)
	st := memstore.New()
	e := conversation.New(conversation.Options{KB: f.kb, Index: f.ix, Rules: f.rs, Store: st, NoUnanswered: true})
	c := &chat{t: t, e: e, store: st, m: conversation.Message{Platform: conversation.PlatformWeb, UserID: "U1", ConversationID: "C1"}}
	r := c.say("assistant IAG sanction disciplinaire")
	if r.Answer != nil || r.Escalation == nil {
		t.Fatalf("fallback: %+v; want an escalation and no answer", r)
	}
	if un, _ := st.Unanswered(context.Background(), 10); len(un) != 0 {
		t.Errorf("NoUnanswered kept %d questions", len(un))
	}
}

// A message about something else than the directive gets an honest "not
// my subject" and no e-mail to the MCN; a question about the directive the
// FAQ does not answer keeps the escalation, during the dialog as well.
func TestOffTopicIsNotEscalated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, lang string
		dialog           bool
		wantEsc          bool
		wantText         string
	}{
		{name: "weather fr", text: "Quelle est la météo demain ?", lang: "fr", wantText: "Je réponds seulement aux questions sur l'indication d'application IA-RI-2025-001-OP"},
		{name: "weather en", text: "What's the weather tomorrow?", lang: "en", wantText: "I only answer questions about directive IA-RI-2025-001-OP"},
		{name: "vpn", text: "Le VPN ne fonctionne pas", lang: "fr", wantText: "Je réponds seulement"},
		{name: "leave", text: "Comment demander un congé?", lang: "fr", wantText: "Je réponds seulement"},
		{name: "in domain", text: "assistant IAG sanction disciplinaire", lang: "fr", wantEsc: true, wantText: "Une personne du MCN"},
		{name: "in domain mid-dialog", text: "assistant IAG sanction disciplinaire", lang: "fr", dialog: true, wantEsc: true, wantText: "Une personne du MCN"},
		{name: "typo mid-dialog", text: "ouiii", lang: "fr", dialog: true, wantText: "Je n'ai reconnu ni une réponse"},
		{name: "typo mid-dialog, two words", text: "ouiii bien", lang: "fr", dialog: true, wantText: "Je n'ai reconnu ni une réponse"},
		// A real question about something else, during the check: said so,
		// kept as unanswered, no e-mail, and the check stays where it was.
		{name: "off-topic question mid-dialog", text: "Quelle est la météo demain ?", lang: "fr", dialog: true, wantText: "Je réponds seulement aux questions sur l'indication d'application IA-RI-2025-001-OP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newChat(t)
			if tt.dialog {
				c.say("admissibilité")
			}
			r := c.say(tt.text)
			if r.Answer != nil || r.Lang != tt.lang {
				t.Fatalf("reply %+v; want no answer, in %s", r, tt.lang)
			}
			if !strings.Contains(strings.Join(r.Text, "\n"), tt.wantText) {
				t.Errorf("text %q; want %q", r.Text, tt.wantText)
			}
			mailto := false
			for _, a := range r.Buttons() {
				mailto = mailto || strings.HasPrefix(a.URL, "mailto:")
			}
			if (r.Escalation != nil) != tt.wantEsc || mailto != tt.wantEsc {
				t.Errorf("escalation %v, mailto button %v; want %v", r.Escalation != nil, mailto, tt.wantEsc)
			}
			if tt.dialog && (r.Question == nil || r.Question.Step != 1) {
				t.Errorf("dialog lost: %+v; want question 1 again", r.Question)
			}
			un, _ := c.store.Unanswered(context.Background(), 10)
			if want := !strings.HasPrefix(tt.text, "ouiii"); (len(un) == 1) != want {
				t.Errorf("unanswered kept %d; want kept %v", len(un), want)
			}
		})
	}
}

// A 👎 offers three reasons as buttons; one is kept once, only after the 👎,
// with no text. Answers keep their confidence band, choices their taking.
func TestReviewEvents(t *testing.T) {
	t.Parallel()
	c, f := newChat(t)
	ctx := context.Background()
	e := f.kb.Entries[0]
	c.click("fbr:" + e.ID + ":wrong") // before any 👎: nothing kept
	c.click("faq:" + e.ID)
	r := c.click("fb:" + e.ID + ":down")
	for _, code := range []string{"wrong", "incomplete", "unclear"} {
		if !hasAction(r, "fbr:"+e.ID+":"+code) {
			t.Errorf("👎 reply lacks the %s button: %+v", code, r.Actions)
		}
	}
	c.click("fbr:" + e.ID + ":unclear")
	c.click("fbr:" + e.ID + ":wrong") // a second reason is not counted
	c.click("fbr:" + e.ID + ":rude")  // not a reason
	c.say(f.kb.Entries[1].Question)
	evs, err := c.store.Reviews(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var reasons, taken, answers int
	for _, ev := range evs {
		switch ev.Kind {
		case conversation.ReviewReason:
			reasons++
			if ev.Entry != e.ID || ev.Reason != conversation.ReasonUnclear {
				t.Errorf("reason event %+v; want %s unclear", ev, e.ID)
			}
		case conversation.ReviewTaken:
			taken++
		case conversation.ReviewAnswer:
			answers++
			if ev.Entry != f.kb.Entries[1].ID || ev.Band <= 0 || ev.Band > 100 || ev.Band%5 != 0 {
				t.Errorf("answer event %+v; want entry %s with a band in (0, 100]", ev, f.kb.Entries[1].ID)
			}
		}
	}
	// The entry was opened directly, not chosen among offered choices.
	if reasons != 1 || taken != 0 || answers != 1 {
		t.Errorf("reasons %d, taken %d, answers %d; want 1, 0, 1: %+v", reasons, taken, answers, evs)
	}
}

func TestConfidenceBand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		c    float64
		want int
	}{{-1, 0}, {0, 0}, {0.049, 0}, {0.05, 5}, {0.35, 35}, {0.699, 65}, {0.7, 70}, {0.999, 95}, {1, 100}, {2, 100}} {
		if got := conversation.ConfidenceBand(tt.c); got != tt.want {
			t.Errorf("ConfidenceBand(%v) = %d; want %d", tt.c, got, tt.want)
		}
	}
}

// People a platform marks as mentioned (Teams: a colleague's @mention) are
// redacted from a kept question like the writer's own name.
func TestMentionedNamesAreRedactedBeforeStoring(t *testing.T) {
	t.Parallel()
	f := load(t)
	st := memstore.New()
	e := conversation.New(conversation.Options{KB: f.kb, Index: f.ix, Rules: f.rs, Store: st})
	c := &chat{t: t, e: e, store: st, m: conversation.Message{Platform: conversation.PlatformTeams, UserID: "U1", ConversationID: "C1",
		Names: "Julie Gagnon"}}
	if r := c.say("Est-ce que Julie Gagnon risque une sanction disciplinaire avec un assistant IAG ?"); r.Answer != nil {
		t.Skipf("answered (%s): this test needs an unanswered question", r.Answer.EntryID)
	}
	un, _ := st.Unanswered(context.Background(), 10)
	if len(un) != 1 {
		t.Fatalf("unanswered kept: %d; want 1", len(un))
	}
	if strings.Contains(un[0].Text, "Julie") || strings.Contains(un[0].Text, "Gagnon") || !strings.Contains(un[0].Text, "[nom]") {
		t.Errorf("kept question %q; want the mentioned name redacted", un[0].Text)
	}
}
