package slack

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/qc-ia/conformbot/conversation"
)

// fakeEngine is a hand-written stand-in for the conversation engine: a
// two-question dialog with per-session state, an FAQ answer and help, so the
// adapter's plumbing (sessions, in-place updates, stale buttons) is tested
// without the real engine. End-to-end tests with the real engine live in
// cmd/bot.
type fakeEngine struct {
	mu    sync.Mutex
	step  map[string]int
	calls atomic.Int32
	seen  chan conversation.Message // every message, when set
}

func newFakeEngine() *fakeEngine { return &fakeEngine{step: map[string]int{}} }

func sessionKey(m conversation.Message) string {
	return m.Platform + "|" + m.UserID + "|" + m.ConversationID + "|" + m.ThreadID
}

var fakeAnswer = conversation.Answer{
	EntryID:  "faq-1",
	Question: "Qu'est-ce qu'un système d'IA?",
	Text:     "Voir le [guide](https://www.quebec.ca/guide?a=1&b=2) & la <directive>.\n\n- point un\n- point deux",
	Source:   conversation.Source{Label: "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"},
}

func (e *fakeEngine) Handle(_ context.Context, m conversation.Message) (conversation.Reply, error) {
	e.calls.Add(1)
	if e.seen != nil {
		e.seen <- m
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	k := sessionKey(m)
	fr := conversation.LangFR
	switch {
	case m.Action == "dlg:1:oui" && e.step[k] == 1:
		e.step[k] = 2
		return conversation.Reply{Lang: fr, Question: &conversation.Question{
			Fact: "rp", Step: 2, Prompt: "L'outil traite-t-il des renseignements personnels?",
			Why:     "La FAQ distingue ce cas.",
			Choices: []conversation.Action{{ID: "dlg:2:oui", Label: "Oui"}, {ID: "dlg:2:non", Label: "Non"}},
		}}, nil
	case m.Action == "dlg:2:non" && e.step[k] == 2:
		delete(e.step, k)
		return conversation.Reply{Lang: fr, Verdict: &conversation.Verdict{
			Code: "usage-individuel", Title: "Usage individuel permis",
			Explanation: "Selon la FAQ, cet usage est permis.",
			Citations:   []conversation.Citation{{EntryID: "faq-1", Question: fakeAnswer.Question}},
		}, Actions: []conversation.Action{{ID: "restart", Label: "Recommencer"}}}, nil
	case m.Action == "fb:up":
		return conversation.Reply{Lang: fr, Text: []string{"Merci de votre avis."}}, nil
	case m.Action != "":
		return conversation.Reply{Lang: fr, Text: []string{"Ce bouton a expiré."}}, nil
	case m.Text == "aide" || m.Action == conversation.ActHelp:
		return conversation.Reply{Lang: fr, Text: []string{"Posez une question ou tapez admissibilite."}}, nil
	case m.Text == "admissibilite":
		e.step[k] = 1
		return conversation.Reply{Lang: fr, Question: &conversation.Question{
			Fact: "usage", Step: 1, Prompt: "Utilisez-vous l'outil pour votre usage individuel?",
			Choices: []conversation.Action{{ID: "dlg:1:oui", Label: "Oui"}, {ID: "dlg:1:non", Label: "Non"}},
		}}, nil
	}
	a := fakeAnswer
	return conversation.Reply{Lang: fr, Answer: &a, Actions: []conversation.Action{
		{ID: "fb:up", Label: "Utile"},
		{Label: "Écrire au MCN", URL: "mailto:encadrement.ia@mcn.gouv.qc.ca?subject=Question"},
		{Label: "Guide", URL: "https://www.quebec.ca/guide"},
	}}, nil
}
