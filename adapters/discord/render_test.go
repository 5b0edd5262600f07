package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
)

func TestComponents(t *testing.T) {
	t.Parallel()
	many := func(n int) []conversation.Action {
		var as []conversation.Action
		for i := range n {
			as = append(as, conversation.Action{ID: fmt.Sprintf("a%d", i), Label: fmt.Sprintf("Choix %d", i)})
		}
		return as
	}
	tests := []struct {
		name      string
		reply     conversation.Reply
		wantRows  []int // buttons per row
		wantText  []string
		wantDrop  int
		checkBtns func(t *testing.T, bs []discordgo.Button)
	}{
		{name: "no buttons", reply: conversation.Reply{Text: []string{"x"}}},
		{name: "seven buttons in two rows", reply: conversation.Reply{Actions: many(7)}, wantRows: []int{5, 2}},
		{name: "at most 5 rows of 5", reply: conversation.Reply{Actions: many(30)}, wantRows: []int{5, 5, 5, 5, 5}, wantDrop: 5},
		{
			name: "choices, suggestions, then actions, each id once",
			reply: conversation.Reply{
				Question:    &conversation.Question{Prompt: "?", Choices: []conversation.Action{{ID: "yes", Label: "Oui"}, {ID: "no", Label: "Non"}}},
				Suggestions: []conversation.Suggestion{{EntryID: "faq-02", Question: "Q2", Action: conversation.Action{ID: "sugg:faq-02", Label: "Q2"}}},
				Actions:     []conversation.Action{{ID: "yes", Label: "Oui"}, {ID: "back", Label: "Retour", Style: "danger"}},
			},
			wantRows: []int{4},
			checkBtns: func(t *testing.T, bs []discordgo.Button) {
				var ids []string
				for _, b := range bs {
					ids = append(ids, b.CustomID)
				}
				if strings.Join(ids, ",") != "yes,no,sugg:faq-02,back" {
					t.Errorf("ids %v", ids)
				}
				if bs[3].Style != discordgo.DangerButton || bs[0].Style != discordgo.SecondaryButton {
					t.Errorf("styles %v %v", bs[0].Style, bs[3].Style)
				}
			},
		},
		{
			name: "mailto to another address keeps it",
			reply: conversation.Reply{Lang: conversation.LangEN, Actions: []conversation.Action{
				{Label: "Write to us", URL: "mailto:autre@mcn.gouv.qc.ca?subject=Hello"}}},
			wantText: []string{"✉️ Write to us: autre@mcn.gouv.qc.ca (Subject: Hello)"},
		},
		{
			name:     "long labels and ids",
			reply:    conversation.Reply{Actions: []conversation.Action{{ID: "ok", Label: strings.Repeat("é", 120)}, {ID: strings.Repeat("x", 101), Label: "trop long"}}},
			wantRows: []int{1}, wantDrop: 1,
			checkBtns: func(t *testing.T, bs []discordgo.Button) {
				if n := len([]rune(bs[0].Label)); n > maxLabelLen || !strings.HasSuffix(bs[0].Label, "…") {
					t.Errorf("label of %d characters: %q", n, bs[0].Label)
				}
			},
		},
		{
			name: "mailto becomes text, https a link button",
			reply: conversation.Reply{
				Escalation: &conversation.Escalation{Email: "encadrement.ia@mcn.gouv.qc.ca", Subject: "Question sur la directive"},
				Actions: []conversation.Action{
					{ID: "esc", Label: "Écrire au MCN", URL: "mailto:encadrement.ia@mcn.gouv.qc.ca?subject=Question%20sur%20la%20directive&body=Bonjour"},
					{ID: "doc", Label: "Directive", URL: "https://www.quebec.ca/directive"},
				},
			},
			wantRows: []int{1},
			wantText: []string{"Pour joindre le MCN : encadrement.ia@mcn.gouv.qc.ca\n\n✉️ Écrire au MCN (Objet : Question sur la directive)"},
			checkBtns: func(t *testing.T, bs []discordgo.Button) {
				if bs[0].Style != discordgo.LinkButton || bs[0].URL != "https://www.quebec.ca/directive" || bs[0].CustomID != "" {
					t.Errorf("link button %+v", bs[0])
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msgs, dropped := render(tc.reply)
			last := msgs[len(msgs)-1]
			var rows []int
			var bs []discordgo.Button
			for _, c := range last.Components {
				row := c.(discordgo.ActionsRow)
				rows = append(rows, len(row.Components))
				for _, b := range row.Components {
					bs = append(bs, b.(discordgo.Button))
				}
			}
			if fmt.Sprint(rows) != fmt.Sprint(tc.wantRows) {
				t.Errorf("rows %v, want %v", rows, tc.wantRows)
			}
			if dropped != tc.wantDrop {
				t.Errorf("dropped %d, want %d", dropped, tc.wantDrop)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(last.Content, w) {
					t.Errorf("content %q lacks %q", last.Content, w)
				}
			}
			if tc.checkBtns != nil {
				tc.checkBtns(t, bs)
			}
		})
	}
}

// The dialog's question carries its number, like on the other platforms.
func TestRenderQuestionStep(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		q    conversation.Question
		want string
	}{
		{"numbered", conversation.Question{Step: 2, Prompt: "Traitez-vous des renseignements personnels ?", Why: "La FAQ le demande."},
			"**Question 2**\nTraitez-vous des renseignements personnels ?\n\nLa FAQ le demande."},
		{"no step, no number", conversation.Question{Prompt: "Utilisez-vous un système d'IA ?"}, "Utilisez-vous un système d'IA ?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := tc.q
			msgs, _ := render(conversation.Reply{Question: &q})
			if len(msgs) != 1 || msgs[0].Content != tc.want {
				t.Errorf("content %q, want %q", msgs[0].Content, tc.want)
			}
			if q.Prompt != tc.q.Prompt {
				t.Errorf("render changed the reply's prompt to %q", q.Prompt)
			}
		})
	}
}

func TestRenderEmptyReply(t *testing.T) {
	t.Parallel()
	msgs, _ := render(conversation.Reply{})
	if len(msgs) != 1 || msgs[0].Content == "" {
		t.Errorf("empty reply rendered as %+v; Discord refuses empty messages", msgs)
	}
}

// A verdict's answers are embed fields, not a list in the text.
func TestRenderVerdictAnswersAsFields(t *testing.T) {
	t.Parallel()
	r := adaptertest.Verdict(t, "fr-CA", adaptertest.Suspended)
	msgs, _ := render(r)
	last := msgs[len(msgs)-1]
	if len(last.Embeds) != 1 || len(last.Embeds[0].Fields) != len(r.Verdict.Answers) {
		t.Fatalf("embeds %+v, want one with the %d answers", last.Embeds, len(r.Verdict.Answers))
	}
	f := last.Embeds[0].Fields[0]
	if f.Name != r.Verdict.Answers[0].Label || f.Value != r.Verdict.Answers[0].Answer || !f.Inline {
		t.Errorf("field %+v", f)
	}
	var text strings.Builder
	for _, m := range msgs {
		text.WriteString(m.Content)
	}
	if strings.Contains(text.String(), "Vos réponses") || !strings.Contains(text.String(), "⛔ "+r.Verdict.Title) ||
		!strings.Contains(text.String(), r.Verdict.Conclusion) || !strings.Contains(text.String(), r.Verdict.Source.Label) {
		t.Errorf("text:\n%s", text.String())
	}
	if r.Verdict.Answers == nil {
		t.Error("render changed the caller's verdict")
	}
}
