package conversation_test

import (
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

// unmarked is an official answer without the FAQ's markup, written out by
// hand for the links the official FAQ holds.
func unmarked(s string) string {
	return strings.NewReplacer("[", "", "](#)", "", "*", "").Replace(s)
}

// Answers keep every official word but no markup; the cited documents with
// a confirmed address become link buttons; cross-references become
// follow-up buttons that open the entry.
func TestAnswerMarkupLinksAndFollowUps(t *testing.T) {
	t.Parallel()
	f := load(t)
	for _, en := range f.kb.Entries {
		a := conversation.Quote(f.kb, &en, "fr")
		if a.Text != unmarked(en.Answer) {
			t.Errorf("%s: text %q; want the official words without markup", en.ID, a.Text)
		}
		for _, raw := range []string{"(#)", "](", "*"} {
			if strings.Contains(a.Text, raw) {
				t.Errorf("%s: text holds %q", en.ID, raw)
			}
		}
		for _, k := range a.Links {
			if !strings.HasPrefix(k.URL, "https://") || !strings.Contains(a.Text, k.Title) {
				t.Errorf("%s: link %+v", en.ID, k)
			}
		}
	}
	c, _ := newChat(t)
	r := c.click("faq:organisations-concernees")
	if r.Answer == nil || len(r.Answer.Links) != 1 || !hasLink(r, "https://www.legisquebec.gouv.qc.ca/fr/document/lc/G-1.03") {
		t.Fatalf("organisations: %+v; want the LégisQuébec link as a button", r)
	}
	// The good-practice guide's address is not confirmed: title only, no button.
	if r := c.click("faq:version-web-copilot-chatgpt"); r.Answer == nil || len(r.Answer.Links) != 0 ||
		!strings.Contains(r.Answer.Text, "nous vous référons aux GUIDE DES BONNES PRATIQUES") {
		t.Fatalf("version web: %+v", r.Answer)
	}
	r = c.say("Notre assistant était déjà déployé avant la suspension, avec l'EFVP faite : peut-on le garder ?")
	if r.Answer == nil || r.Answer.EntryID != "exceptions" || len(r.Answer.Related) == 0 ||
		r.Answer.Related[0].EntryID != "demarche-structuree" || !hasAction(r, "faq:demarche-structuree") {
		t.Fatalf("exceptions: %+v; want a follow-up to demarche-structuree", r.Answer)
	}
	if !strings.Contains(r.Answer.Text, "(voir question « En quoi consiste une démarche structurée ? »") {
		t.Errorf("cross-reference not kept word for word: %q", r.Answer.Text)
	}
	if r := c.click("faq:demarche-structuree"); r.Answer == nil || r.Answer.EntryID != "demarche-structuree" {
		t.Fatalf("follow-up opened %+v", r.Answer)
	}
}

func hasLink(r conversation.Reply, url string) bool {
	for _, a := range r.Buttons() {
		if a.URL == url {
			return true
		}
	}
	return false
}
