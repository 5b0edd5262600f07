package conversation_test

import (
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

// The router and its action ids, on any text, action and surface
// language, in a fresh session and in one with a check under way: a reply
// in French or English, never empty, whose buttons are well formed (c.send
// checks ids of at most 100 bytes and labels), and whose own first button,
// clicked back, is answered too.
func FuzzRouter(f *testing.F) {
	for _, s := range []struct{ text, action, lang string }{
		{"Puis-je utiliser ChatGPT ?", "", ""},
		{"admissibilite", "", "en"},
		{"", "elig:ans:usage_personnel:yes", ""},
		{"", "elig:ans::yes", ""},
		{"", "elig:ans:x:maybe", "fr"},
		{"", "faq:v0:does-not-exist", ""},
		{"", "fb:e1:up", ""},
		{"", "fb::down", ""},
		{"", "fbr:e1:wrong", ""},
		{"", "fbr:e1:", ""},
		{"", "elig:receipt", ""},
		{"", "elig:back", ""},
		{"", "lang:en", ""},
		{"", "sub", ""},
		{"english", "", ""},
		{"\xff\xfe caf\xe9", "", ""},
		{"", "\x00:\x00:\x00", "de"},
	} {
		f.Add(s.text, s.action, s.lang)
	}
	f.Fuzz(func(t *testing.T, text, action, lang string) {
		if text == "" && action == "" {
			return // the adapters never send that: they answer 400
		}
		for _, inDialog := range []bool{false, true} {
			c, _ := newChat(t)
			if inDialog {
				c.click(conversation.ActEligStart)
			}
			m := c.m
			m.Text, m.Action, m.Lang = conversation.ValidText(text), conversation.ValidText(action), lang
			r := c.send(m)
			if r.Lang != conversation.LangFR && r.Lang != conversation.LangEN {
				t.Fatalf("reply to %q/%q in language %q", text, action, r.Lang)
			}
			if b := r.Buttons(); len(b) > 0 && b[0].ID != "" {
				c.click(b[0].ID)
			}
		}
	})
}
