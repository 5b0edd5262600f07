package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/faq"
)

// realEngine is the conversation engine on the official content with its
// own in-memory store.
func realEngine(t *testing.T) *conversation.Engine { return adaptertest.Engine(t) }

// oracle replays the same user's steps on a second engine, to know what
// the adapter should show without writing any answer into the test.
type oracle struct {
	e *conversation.Engine
	m conversation.Message
}

func (o *oracle) send(t *testing.T, text, action string) conversation.Reply {
	t.Helper()
	m := o.m
	m.Text, m.Action = text, action
	r, err := o.e.Handle(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEligibilityDialogWithTheEngine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer string // the choice clicked at every question
		locale string
	}{
		{"always yes", ":yes", "fr"},
		{"always no", ":no", "fr"},
		{"always I don't know", ":unknown", "en-US"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, realEngine(t), nil)
			o := &oracle{e: realEngine(t), m: conversation.Message{Platform: "discord", UserID: testUser, ConversationID: testChan, Locale: tc.locale}}

			start := slashEligibility("3000", tc.locale)
			start["channel_id"] = testChan
			resp := r.interact(t, start)
			want := o.send(t, CommandEligibility, "")
			if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || want.Question == nil ||
				!strings.Contains(resp.Content, want.Question.Prompt) {
				t.Fatalf("start: type %d %q, want the first question %+v", resp.Type, resp.Content, want.Question)
			}
			for step := 1; ; step++ {
				if step > 20 {
					t.Fatal("no verdict after 20 questions")
				}
				id := pick(resp, tc.answer)
				if id == "" {
					t.Fatalf("step %d: no %s button in %v", step, tc.answer, resp.Buttons)
				}
				resp = r.interact(t, click("30"+itoa(int64(step+10)), id))
				want = o.send(t, "", id)
				if resp.Type != discordgo.InteractionResponseUpdateMessage {
					t.Fatalf("step %d: type %d, want 7 (the dialog message updated in place)", step, resp.Type)
				}
				if want.Verdict != nil {
					if !strings.Contains(resp.Content, want.Verdict.Title) {
						t.Errorf("verdict: content %q lacks %q", resp.Content, want.Verdict.Title)
					}
					if pick(resp, tc.answer) != "" {
						t.Errorf("verdict still shows answer buttons %v", resp.Buttons)
					}
					checkEscalation(t, resp, want)
					break
				}
				if !strings.Contains(resp.Content, want.Question.Prompt) {
					t.Fatalf("step %d: content %q lacks the question %q", step, resp.Content, want.Question.Prompt)
				}
			}
			r.a.Wait()
			r.rest.none(t)
		})
	}
}

// checkEscalation: a verdict with an e-mail draft shows the address as
// text, never as a mailto: link button (Discord refuses those).
func checkEscalation(t *testing.T, resp response, want conversation.Reply) {
	t.Helper()
	for _, row := range resp.Buttons {
		for _, id := range row {
			if strings.HasPrefix(id, "mailto:") {
				t.Errorf("mailto link button %q", id)
			}
		}
	}
	if want.Escalation != nil && !strings.Contains(resp.Content, want.Escalation.Email) {
		t.Errorf("escalation address %q missing from %q", want.Escalation.Email, resp.Content)
	}
}

// pick returns the id of the button ending with suffix.
func pick(resp response, suffix string) string {
	for _, row := range resp.Buttons {
		for _, id := range row {
			if strings.HasPrefix(id, "elig:ans:") && strings.HasSuffix(id, suffix) {
				return id
			}
		}
	}
	return ""
}

func TestQuestionAndFeedbackWithTheEngine(t *testing.T) {
	t.Parallel()
	r := newRig(t, realEngine(t), nil)
	o := &oracle{e: realEngine(t), m: conversation.Message{Platform: "discord", UserID: testUser, ConversationID: testChan, Locale: "fr"}}
	kb, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	q := kb.Entries[0].Question // an official question, asked as is
	resp := r.interact(t, slashAsk("3100", q))
	want := o.send(t, q, "")
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("type %d, want 4", resp.Type)
	}
	if want.Answer == nil {
		t.Fatalf("the engine found no answer to %q", q)
	}
	for _, part := range []string{want.Answer.Question, want.Answer.Source.Label} {
		if !strings.Contains(resp.Content, part) {
			t.Errorf("content lacks %q", part)
		}
	}
	var vote string
	for _, a := range want.Actions {
		if strings.HasPrefix(a.ID, "fb:") {
			vote = a.ID
		}
	}
	if vote == "" || !strings.Contains(strings.Join(resp.Buttons[len(resp.Buttons)-1], ","), vote) {
		t.Fatalf("feedback button %q not among %v", vote, resp.Buttons)
	}
	// Feedback thanks come as a new message: the official answer stays.
	resp = r.interact(t, click("3101", vote))
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("feedback: type %d, want 4 (a new message)", resp.Type)
	}
	if want := o.send(t, "", vote); resp.Content != want.PlainText() {
		t.Errorf("feedback: content %q, want %q", resp.Content, want.PlainText())
	}
	r.a.Wait()
	r.rest.none(t)
}
