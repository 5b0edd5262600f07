package conversation_test

import (
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/store/memstore"
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
		// Each *italic* of the FAQ is kept as a part the surfaces can show.
		if want := strings.Count(en.Answer, "*") / 2; len(a.Emphasis) != want {
			t.Errorf("%s: emphasis %q; want %d phrase(s)", en.ID, a.Emphasis, want)
		}
		for _, e := range a.Emphasis {
			if !strings.Contains(a.Text, e) || !strings.Contains(en.Answer, "*"+e+"*") {
				t.Errorf("%s: emphasis %q is not an italic phrase of the text", en.ID, e)
			}
		}
	}
	if exc, ok := f.kb.Entry("exceptions"); !ok || strings.Join(conversation.Quote(f.kb, exc, "fr").Emphasis, "|") != "En quoi consiste une démarche structurée ?" {
		t.Errorf("exceptions: want its one italic phrase, « En quoi consiste une démarche structurée ? »")
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
	if !hasAction(r, conversation.ActEligStart) {
		t.Errorf("exceptions, cited by the rules, offers no check of one's case: %+v", r.Actions)
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

// An answer of several parts quotes first the part that answers the
// question, verbatim: a list item, or a paragraph (so that a condition stays
// beside what it conditions), or a sentence of a long paragraph; a short
// answer, or a question no part stands out for, has none.
func TestPassageThatAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q, entry, want string
	}{
		{"Notre assistant était déjà déployé avant la suspension, avec l'EFVP faite : peut-on le garder ?", "exceptions",
			"ceux qui, avant la date d'entrée en vigueur de la suspension, sont déjà effectifs"},
		{"Le DPI peut-il autoriser un projet d'assistant virtuel à la suite d'une demande particulière?", "exceptions",
			"ceux qui, après la date d'entrée en vigueur de la suspension, sont autorisés par le dirigeant principal de l'information"},
		{"Démarche structurée : faut-il une formation des employés?", "demarche-structuree",
			"qu'il a mis en place des mesures de formation et de sensibilisation pour les employés visés par le système;"},
		// A paragraph: the permission with its condition.
		{"Puis-je utiliser ChatGPT au travail?", "version-web-copilot-chatgpt",
			"La suspension ne concerne pas l'utilisation individuelle (effectuée de façon personnelle par les employés) des versions « grand public » gratuites d'assistants virtuels d'IAG, comme les versions accessibles en ligne de Copilot (incluant Copilot Chat) et ChatGPT, celles-ci étant d'emblée accessibles par le web à l'extérieur de l'organisation. Cette permission est effective dans le contexte où un organisme permet à son personnel d'accéder à ces outils en ligne."},
		{"Pourquoi cette suspension?", "raisons-suspension",
			"Cette suspension vise donc à éviter aux OP de mener des travaux similaires chacun de façon individuelle pouvant mener à des dépenses additionnelles."},
		{"Y a-t-il des exceptions ?", "exceptions", ""},
		{"Combien de temps durera la suspension ?", "duree-suspension", ""},
		{"Est-ce que mon organisation est concernée ?", "organisations-concernees", ""},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			t.Parallel()
			c, _ := newChat(t)
			r := c.say(tt.q)
			if r.Answer == nil || r.Answer.EntryID != tt.entry {
				t.Fatalf("answer %+v; want %s", r.Answer, tt.entry)
			}
			p := r.Answer.Passage
			if !strings.HasPrefix(p, tt.want) || (tt.want == "") != (p == "") {
				t.Fatalf("passage %q; want one starting %q", p, tt.want)
			}
			if p != "" && !strings.Contains(r.Answer.Text, p) {
				t.Errorf("passage %q is not an exact substring of the official text", p)
			}
			full := conversation.LabelsFor(r.Lang).FullAnswer
			if txt := r.PlainText(); p != "" && (!strings.Contains(txt, full) || strings.Index(txt, p) >= strings.Index(txt, full)) {
				t.Errorf("passage not shown before the full answer:\n%s", txt)
			}
		})
	}
}

// A suggestion offered for a question opens its entry with the passage
// that answers that question; the question is not kept anywhere, the
// button names the passage. A stale or forged passage shows none.
func TestPassageAfterSuggestion(t *testing.T) {
	t.Parallel()
	const want = "qu'il a mis en place des mécanismes assurant la qualité des données pouvant être utilisée par le système IAG ;"
	// An index that answers only when certain: whatever the trained model
	// makes of the question, it is offered as a suggestion.
	f := load(t)
	ix, err := index.New(f.kb, index.Options{Params: index.Params{AnswerThreshold: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	st := memstore.New()
	e := conversation.New(conversation.Options{KB: f.kb, Index: ix, Rules: f.rs, Store: st})
	c := &chat{t: t, e: e, store: st, m: conversation.Message{Platform: conversation.PlatformWeb, UserID: "U-SECRET-42", ConversationID: "C-SECRET-7"}}
	r := c.say("données de qualité pour le système")
	var id string
	for _, s := range r.Suggestions {
		if s.EntryID == "demarche-structuree" {
			id = s.Action.ID
		}
	}
	if id == "" {
		t.Fatalf("suggestions %+v; want demarche-structuree", r.Suggestions)
	}
	if strings.Contains(id, "qualit") {
		t.Errorf("action id %q holds the question's words", id)
	}
	if o := c.click(id); o.Answer == nil || o.Answer.EntryID != "demarche-structuree" || o.Answer.Passage != want {
		t.Fatalf("click %q: %+v; want the passage %q", id, o.Answer, want)
	}
	entry, ref, _ := strings.Cut(strings.TrimPrefix(id, "faq:"), ":")
	for _, forged := range []string{"p99.0000", "p-1.0000", ref[:len(ref)-1] + "x", "zz", ""} {
		o := c.click("faq:" + entry + ":" + forged)
		if o.Answer == nil || o.Answer.EntryID != entry || o.Answer.Passage != "" {
			t.Errorf("forged passage %q: %+v; want the answer, without a passage", forged, o.Answer)
		}
	}
	if o := c.click("faq:nulle-part:" + ref); o.Answer != nil || len(o.Text) == 0 {
		t.Errorf("unknown entry with a passage: %+v; want the stale-entry reply", o)
	}
}

// A finished check hands over a receipt: the answers, the verdict, its
// citations, the rules' version and the FAQ's date, nothing about the
// person; its button never shows another session's check.
func TestVerdictReceipt(t *testing.T) {
	t.Parallel()
	c, f := newChat(t)
	r := c.say("admissibilité")
	prompt := r.Question.Prompt
	r = c.say("non")
	v := r.Verdict
	if v == nil || !hasAction(r, conversation.ActEligReceipt) || !hasAction(r, "faq:"+v.Citations[0].EntryID) {
		t.Fatalf("verdict %+v; want a verdict with the receipt button", r)
	}
	for _, w := range []string{"Récapitulatif", prompt, "→ Non", "Résultat : " + v.Title, "Version des règles : " + f.rs.Version,
		"Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025", " UTC", v.Citations[0].Question} {
		if !strings.Contains(v.Receipt, w) {
			t.Errorf("receipt lacks %q:\n%s", w, v.Receipt)
		}
	}
	for _, secret := range []string{"U-SECRET-42", "C-SECRET-7", "web"} {
		if strings.Contains(v.Receipt, secret) {
			t.Errorf("receipt holds %q", secret)
		}
	}
	if got := c.click(conversation.ActEligReceipt); len(got.Text) != 1 || !strings.Contains(got.Text[0], prompt) {
		t.Errorf("receipt button: %+v", got.Text)
	}
	other, _ := newChat(t)
	other.e, other.store = c.e, c.store
	other.m.UserID, other.m.ConversationID = "U-OTHER", "C-OTHER"
	if got := other.click(conversation.ActEligReceipt); len(got.Text) != 1 || strings.Contains(got.Text[0], prompt) {
		t.Errorf("another session's receipt button: %+v; want a stale notice", got.Text)
	}
}

// Each entry offers, as buttons after its answer, the entries the FAQ
// itself connects it with (faq/data, related:); a click opens them.
func TestFollowUpsData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		entry string
		want  []string
	}{
		{"indication-application", []string{"assistant-virtuel-iag", "portee-suspension"}},
		{"assistant-virtuel-iag", []string{"portee-suspension", "version-web-copilot-chatgpt"}},
		{"version-web-copilot-chatgpt", []string{"portee-suspension"}},
		{"portee-suspension", []string{"projet-sans-budget", "exceptions"}},
		{"projet-sans-budget", []string{"portee-suspension", "exceptions"}},
		{"organisations-concernees", []string{"portee-suspension"}},
		{"raisons-suspension", []string{"duree-suspension"}},
		{"duree-suspension", []string{"raisons-suspension"}},
		{"exceptions", []string{"demarche-structuree"}},
		{"demarche-structuree", []string{"exceptions"}},
		{"contact", nil},
	}
	for _, tc := range tests {
		t.Run(tc.entry, func(t *testing.T) {
			t.Parallel()
			c, _ := newChat(t)
			r := c.click("faq:" + tc.entry)
			if r.Answer == nil || r.Answer.EntryID != tc.entry {
				t.Fatalf("faq:%s opened %+v", tc.entry, r.Answer)
			}
			var got []string
			for _, rel := range r.Answer.Related {
				got = append(got, rel.EntryID)
				if !hasAction(r, rel.Action.ID) || rel.Action.ID != "faq:"+rel.EntryID {
					t.Errorf("follow-up %s: action %+v not among the buttons", rel.EntryID, rel.Action)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("follow-ups %v; want %v", got, tc.want)
			}
			for _, id := range tc.want {
				if o := c.click("faq:" + id); o.Answer == nil || o.Answer.EntryID != id {
					t.Errorf("follow-up %s opened %+v", id, o.Answer)
				}
			}
		})
	}
}
