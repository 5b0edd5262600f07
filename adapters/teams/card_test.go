package teams

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

// cardText gathers every text and button of a card, in order.
func cardText(c *card) (texts []string, actions []cardAction) {
	var walk func([]element)
	walk = func(es []element) {
		for _, e := range es {
			if e.Text != "" {
				texts = append(texts, e.Text)
			}
			for _, f := range e.Facts {
				texts = append(texts, f.Title+" : "+f.Value)
			}
			actions = append(actions, e.Actions...)
			if e.SelectAction != nil {
				actions = append(actions, *e.SelectAction)
			}
			walk(e.Items)
		}
	}
	walk(c.Body)
	return texts, actions
}

func fullReply() conversation.Reply {
	return conversation.Reply{
		Lang: conversation.LangFR,
		Text: []string{"Voici la réponse officielle."},
		Answer: &conversation.Answer{EntryID: "q1", Question: "Qu'est-ce qu'un système d'IA ?",
			Text:   "Un système d'IA est...\n- point un\n- [lien](https://example.gouv.qc.ca)",
			Source: conversation.Source{Label: "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"}},
		Question: &conversation.Question{Fact: "usage", Prompt: "L'usage est-il individuel ?",
			Why: "La directive distingue l'usage individuel (FAQ 4).", Step: 2,
			Choices: []conversation.Action{{ID: "elig:usage:oui", Label: "Oui", Style: "primary"},
				{ID: "elig:usage:non", Label: "Non"}, {ID: "elig:usage:nsp", Label: "Je ne sais pas"}}},
		Verdict: &conversation.Verdict{Code: "exception", Title: "Exception applicable", Tone: conversation.TonePositive,
			Conclusion: "Votre projet n'est pas suspendu.", Answers: []conversation.VerdictAnswer{{Fact: "efvp", Label: "EFVP faite", Value: "yes", Answer: "Oui"}},
			Exceptions: []string{"recherche"}, Explanation: "Parce que...", Source: conversation.Source{Label: "Source : FAQ du 18 mars 2025"},
			ToVerify: []string{"Le contrat"}, Citations: []conversation.Citation{{EntryID: "q4", Question: "Qu'est-ce que l'usage individuel ?",
				Action: conversation.Action{ID: "faq:q4", Label: "Usage individuel"}}}},
		Suggestions: []conversation.Suggestion{{EntryID: "q7", Question: "La directive vise-t-elle Copilot ?",
			Action: conversation.Action{ID: "faq:q7", Label: "Voir"}}},
		Escalation: &conversation.Escalation{Email: "encadrement.ia@mcn.gouv.qc.ca", Mailto: "mailto:encadrement.ia@mcn.gouv.qc.ca?subject=IA"},
		Actions:    []conversation.Action{{ID: "fb:up", Label: "👍 Utile"}, {ID: "fb:down", Label: "👎 Pas utile", Style: "danger"}},
	}
}

func TestRenderCardHasEveryPart(t *testing.T) {
	t.Parallel()
	cards := renderCards(fullReply(), maxCardBytes)
	if len(cards) != 1 {
		t.Fatalf("cards = %d, want 1", len(cards))
	}
	c := cards[0]
	if c.Type != "AdaptiveCard" || c.Version != "1.2" {
		t.Errorf("card type/version = %s %s", c.Type, c.Version)
	}
	texts, actions := cardText(c)
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"Voici la réponse officielle.", "Qu'est-ce qu'un système d'IA ?",
		"- [lien](https://example.gouv.qc.ca)", "Source : FAQ IA-RI-2025-001-OP", "Question 2",
		"L'usage est-il individuel ?", "Pourquoi cette question ?", "La directive distingue",
		"✅ Exception applicable", "Votre projet n'est pas suspendu.", "Vos réponses :", "EFVP faite : Oui",
		"Parce que...", "À vérifier :\n- Le contrat", "Références (FAQ) :", "Source : FAQ du 18 mars 2025",
		"Vouliez-vous dire :", "Pour joindre le MCN : encadrement.ia@mcn.gouv.qc.ca"} {
		if !strings.Contains(joined, want) {
			t.Errorf("card text lacks %q", want)
		}
	}
	type btn struct{ typ, title, action, url, style string }
	var got []btn
	for _, a := range actions {
		b := btn{typ: a.Type, title: a.Title, url: a.URL, style: a.Style}
		if a.Data != nil {
			b.action = a.Data.Action
		}
		got = append(got, b)
	}
	want := []btn{
		{"Action.Submit", "Oui", "elig:usage:oui", "", "positive"},
		{"Action.Submit", "Non", "elig:usage:non", "", ""},
		{"Action.Submit", "Je ne sais pas", "elig:usage:nsp", "", ""},
		{"Action.Submit", "Qu'est-ce que l'usage individuel ?", "faq:q4", "", ""},
		{"Action.Submit", "La directive vise-t-elle Copilot ?", "faq:q7", "", ""},
		{"Action.Submit", "👍 Utile", "fb:up", "", ""},
		{"Action.Submit", "👎 Pas utile", "fb:down", "", "destructive"},
		{"Action.OpenUrl", "Écrire au MCN", "", "mailto:encadrement.ia@mcn.gouv.qc.ca?subject=IA", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("buttons = %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("button %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The submit data is exactly what comes back as the activity's value.
	b, _ := json.Marshal(actions[0].Data)
	var a Activity
	a.Value = b
	if a.submitAction() != "elig:usage:oui" {
		t.Errorf("round trip of %s lost the action id", b)
	}
}

func TestRenderCardEnglishLabels(t *testing.T) {
	t.Parallel()
	r := fullReply()
	r.Lang = conversation.LangEN
	texts, _ := cardText(renderCards(r, maxCardBytes)[0])
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"Why do we ask?", "To verify:", "References (FAQ):", "Did you mean:", "To reach the MCN:"} {
		if !strings.Contains(joined, want) {
			t.Errorf("English card lacks %q", want)
		}
	}
}

func TestRenderEscalationKeepsEngineMailtoButton(t *testing.T) {
	t.Parallel()
	r := conversation.Reply{Escalation: &conversation.Escalation{Email: "a@b.c", Mailto: "mailto:a@b.c"},
		Actions: []conversation.Action{{Label: "Écrire", URL: "mailto:a@b.c"}}}
	_, actions := cardText(renderCards(r, maxCardBytes)[0])
	if len(actions) != 1 || actions[0].Title != "Écrire" {
		t.Errorf("actions = %+v, want only the engine's mailto button", actions)
	}
}

func TestRenderSplitsWithoutLosingText(t *testing.T) {
	t.Parallel()
	var paras []string
	for i := range 60 {
		paras = append(paras, strings.Repeat("Phrase numéro "+string(rune('A'+i%26))+" du texte officiel. ", 12))
	}
	huge := strings.Join(paras, "\n\n") + "\n\n" + strings.Repeat("x", 5000) // one very long word
	r := conversation.Reply{Lang: conversation.LangFR,
		Answer:  &conversation.Answer{Question: "Titre", Text: huge, Source: conversation.Source{Label: "Source"}},
		Actions: []conversation.Action{{ID: "fb:up", Label: "Utile"}}}
	for _, limit := range []int{maxCardBytes, 4000} {
		cards := renderCards(r, limit)
		if len(cards) < 2 {
			t.Fatalf("limit %d: cards = %d, want a split", limit, len(cards))
		}
		var all []string
		var actions []cardAction
		for _, c := range cards {
			b, _ := json.Marshal(c)
			if len(b) > limit {
				t.Errorf("limit %d: card of %d bytes", limit, len(b))
			}
			texts, acts := cardText(c)
			all = append(all, texts...)
			actions = append(actions, acts...)
		}
		want := strings.Join(strings.Fields("Titre "+huge+" Source"), "")
		if got := strings.Join(strings.Fields(strings.Join(all, " ")), ""); got != want {
			t.Errorf("limit %d: text changed by the split (%d vs %d chars)", limit, len(got), len(want))
		}
		if len(actions) != 1 {
			t.Errorf("limit %d: buttons = %d, want 1", limit, len(actions))
		}
		if _, last := cardText(cards[len(cards)-1]); len(last) != 1 {
			t.Errorf("limit %d: the button is not on the last card", limit)
		}
	}
}

func TestManyActionsAreGrouped(t *testing.T) {
	t.Parallel()
	var acts []conversation.Action
	for i := range 12 {
		acts = append(acts, conversation.Action{ID: "a" + string(rune('a'+i)), Label: "L"})
	}
	sets := actionSets(acts)
	if len(sets) != 3 || len(sets[0].Actions) != actionsPerSet || len(sets[2].Actions) != 2 {
		t.Errorf("sets = %d, want 3 of at most %d", len(sets), actionsPerSet)
	}
}

func BenchmarkRenderCards(b *testing.B) {
	r := fullReply()
	for b.Loop() {
		renderCards(r, maxCardBytes)
	}
}
