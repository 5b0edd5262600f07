package conversation_test

import (
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

// The language the person chose wins over the language of the text: a
// language command (typed or clicked) holds until another one, and the
// surface's switch (Message.Lang) wins over both detection and an earlier
// command.
func TestChosenLanguageWins(t *testing.T) {
	t.Parallel()
	type step struct {
		text, action, lang string // lang: Message.Lang, the page's switch
		want               string
		chosen             bool // Reply.LangChosen
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"english typed, then French questions stay English", []step{
			{text: "english", want: "en", chosen: true},
			{text: "Puis-je encore utiliser la version web de ChatGPT?", want: "en"},
			{text: "Est-ce que mon organisation est concernée ?", want: "en"},
			{text: "Français", want: "fr", chosen: true},
			{text: "Can I still use ChatGPT?", want: "fr"},
		}},
		{"the language buttons", []step{
			{text: "langue", want: "fr"},
			{action: conversation.ActLangEN, want: "en", chosen: true},
			{text: "Qui contacter en cas de questions ?", want: "en"},
			{action: conversation.ActLangFR, want: "fr", chosen: true},
			{text: "Who do I contact?", want: "fr"},
		}},
		{"the page's switch wins over the text", []step{
			{text: "Can I still use ChatGPT?", lang: "fr", want: "fr"},
			{text: "Puis-je utiliser ChatGPT?", lang: "en", want: "en"},
		}},
		{"a command wins over the switch it changes", []step{
			{text: "english", lang: "fr", want: "en", chosen: true},
			{text: "Puis-je utiliser ChatGPT?", lang: "en", want: "en"},
			{text: "en français", lang: "en", want: "fr", chosen: true},
		}},
		{"the switch wins over an earlier command", []step{
			{text: "english", want: "en", chosen: true},
			{text: "Can I still use ChatGPT?", lang: "fr", want: "fr"},
		}},
		{"no choice: each message's language", []step{
			{text: "Can I still use ChatGPT?", want: "en"},
			{text: "Puis-je utiliser ChatGPT?", want: "fr"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newChat(t)
			for i, s := range tc.steps {
				m := c.m
				m.Text, m.Action, m.Lang = s.text, s.action, s.lang
				r := c.send(m)
				if r.Lang != s.want || r.LangChosen != s.chosen {
					t.Fatalf("step %d (%q%q, switch %q): Lang %q chosen %v; want %q %v", i, s.text, s.action, s.lang, r.Lang, r.LangChosen, s.want, s.chosen)
				}
				if r.Answer != nil && s.want == "en" && !strings.HasPrefix(r.Answer.Source.Label, "Source: ") {
					t.Errorf("step %d: source line %q; want it in English", i, r.Answer.Source.Label)
				}
			}
		})
	}
}

// A language command says so in the new language, offers the choice on
// « langue », and keeps the dialog where it was, asked again in the new
// language.
func TestLanguageCommandKeepsDialog(t *testing.T) {
	t.Parallel()
	c, f := newChat(t)
	r := c.say("langue")
	if !hasAction(r, conversation.ActLangFR) || !hasAction(r, conversation.ActLangEN) || r.LangChosen {
		t.Fatalf("« langue »: %+v; want both language buttons", r)
	}
	r = c.say("admissibilité")
	first := r.Question.Fact
	r = c.say("english")
	fact, _ := f.rs.Fact(first)
	if r.Question == nil || r.Question.Fact != first || r.Question.Prompt != fact.Question("en") {
		t.Fatalf("english mid-dialog: %+v; want the pending question again, in English", r.Question)
	}
	if len(r.Text) == 0 || !strings.Contains(r.Text[0], "English") {
		t.Errorf("english: text %q; want it confirmed in English", r.Text)
	}
	if r = c.say("oui"); r.Lang != "en" || (r.Question != nil && r.Question.Fact == first) {
		t.Errorf("« oui » after english: Lang %q question %+v; want the next question, in English", r.Lang, r.Question)
	}
	for _, lang := range []string{"fr", "en"} {
		c2, _ := newChat(t)
		c2.m.Lang = lang
		if h := c2.say("aide"); !strings.Contains(strings.Join(h.Text, "\n"), "english") {
			t.Errorf("help (%s) does not name the language commands: %q", lang, h.Text)
		}
	}
}
