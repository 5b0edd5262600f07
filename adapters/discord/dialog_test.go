package discord

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
)

// fakeDialog is a two-question dialog keyed by user, enough to check that
// the adapter carries ids both ways and updates the message in place.
func fakeDialog() *recorder {
	step := map[string]int{}
	choices := func(n string) []conversation.Action {
		return []conversation.Action{{ID: "d:" + n + ":yes", Label: "Oui"}, {ID: "d:" + n + ":no", Label: "Non"}, {ID: "d:" + n + ":unknown", Label: "Je ne sais pas"}}
	}
	return &recorder{Reply: func(m conversation.Message) (conversation.Reply, error) {
		switch {
		case m.Text == CommandEligibility:
			step[m.UserID] = 1
			return conversation.Reply{Question: &conversation.Question{Step: 1, Prompt: "Utilisez-vous un système d'IA?", Choices: choices("q1")}}, nil
		case m.Action == "d:q1:yes" && step[m.UserID] == 1:
			step[m.UserID] = 2
			return conversation.Reply{Question: &conversation.Question{Step: 2, Prompt: "Traitez-vous des renseignements personnels?", Choices: choices("q2")}}, nil
		case m.Action == "d:q2:no" && step[m.UserID] == 2:
			delete(step, m.UserID)
			return conversation.Reply{
				Verdict: &conversation.Verdict{Code: "usage-individuel", Title: "Usage individuel permis"},
				Actions: []conversation.Action{{ID: "d:restart", Label: "Recommencer"}},
			}, nil
		}
		return conversation.Reply{Text: []string{"Cette question a expiré."}}, nil
	}}
}

func TestEligibilityDialogThroughButtons(t *testing.T) {
	t.Parallel()
	r := newRig(t, fakeDialog(), nil)
	resp := r.interact(t, slashEligibility("2000", "fr"))
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || !strings.Contains(resp.Content, "système d'IA") {
		t.Fatalf("start: %+v", resp)
	}
	steps := []struct {
		click    string
		want     string
		wantBtns string
	}{
		{resp.Buttons[0][0], "renseignements personnels", "d:q2:yes,d:q2:no,d:q2:unknown"},
		{"d:q2:no", "Usage individuel permis", "d:restart"},
	}
	for n, s := range steps {
		resp = r.interact(t, click("200"+itoa(int64(n+1)), s.click))
		if resp.Type != discordgo.InteractionResponseUpdateMessage {
			t.Errorf("step %d: type %d, want 7 (update in place)", n, resp.Type)
		}
		if !strings.Contains(resp.Content, s.want) {
			t.Errorf("step %d: content %q lacks %q", n, resp.Content, s.want)
		}
		if len(resp.Buttons) != 1 || strings.Join(resp.Buttons[0], ",") != s.wantBtns {
			t.Errorf("step %d: buttons %v, want %s", n, resp.Buttons, s.wantBtns)
		}
	}
	// A stale button: the engine's answer comes as a new message.
	resp = r.interact(t, click("2009", "d:q1:yes"))
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Content != "Cette question a expiré." {
		t.Errorf("stale click: %+v", resp)
	}
	r.a.Wait()
	r.rest.none(t)
}
