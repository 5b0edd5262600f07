package discord

import (
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
)

// Slash command names (the French default; English names are localizations).
const (
	CommandAsk         = "ia"
	CommandEligibility = "admissibilite"
	CommandSubscribe   = "abonner"
	CommandUnsubscribe = "desabonner"
	optionQuestion     = "question"
)

// respond is the one core shared by the gateway and the HTTP endpoint: it
// computes the initial response to an interaction within the inline
// budget, and returns rest, the work to do once that response has been
// delivered (follow-up messages, or the answer to a deferred response).
func (a *Adapter) respond(i *discordgo.Interaction) (resp *discordgo.InteractionResponse, rest func()) {
	switch i.Type {
	case discordgo.InteractionPing:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, nil
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent:
	default:
		return notice(msgUnsupported), nil
	}
	m, ok := interactionMessage(i)
	if !ok {
		return notice(msgUnsupported), nil
	}
	if a.s.Token == "" {
		// Without a bot token nothing can be posted unprompted: « abonner »
		// is refused rather than kept for announcements that would fail.
		m.Channel = conversation.Channel{}
	}
	if !a.firstSeen("interaction:" + i.ID) {
		// Already answered: a deferred update changes nothing visible.
		return &discordgo.InteractionResponse{Type: deferredType(i)}, nil
	}
	a.log.Debug("interaction", "type", i.Type.String(), "kind", kind(m))

	done := make(chan conversation.Reply, 1)
	a.goSafe("engine", func() { done <- a.handle(m) })
	timer := time.NewTimer(a.budget)
	defer timer.Stop()
	select {
	case res := <-done:
		msgs := a.messages(res)
		resp := &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content:         msgs[0].Content,
				Components:      emptyComponents(msgs[0].Components),
				Embeds:          msgs[0].Embeds,
				AllowedMentions: noMentions,
			},
		}
		if inPlace(i, res) {
			resp.Type = discordgo.InteractionResponseUpdateMessage
		}
		if len(msgs) == 1 {
			return resp, nil
		}
		return resp, func() { a.followups(i, msgs[1:]) }
	case <-timer.C:
		a.log.Info("interaction deferred: engine slower than the inline budget", "budget", a.budget)
		return &discordgo.InteractionResponse{Type: deferredType(i)}, func() {
			res := <-done
			msgs := a.messages(res)
			if i.Type == discordgo.InteractionMessageComponent && !inPlace(i, res) {
				// A deferred update showed nothing: the answer is a new message.
				a.followups(i, msgs)
				return
			}
			a.editOriginal(i, msgs[0])
			a.followups(i, msgs[1:])
		}
	}
}

// deferredType acknowledges without an answer: "thinking…" for a command,
// nothing visible for a button.
func deferredType(i *discordgo.Interaction) discordgo.InteractionResponseType {
	if i.Type == discordgo.InteractionMessageComponent {
		return discordgo.InteractionResponseDeferredMessageUpdate
	}
	return discordgo.InteractionResponseDeferredChannelMessageWithSource
}

// inPlace reports whether a button's answer replaces the message the button
// was on: the eligibility dialog's next question or its verdict does, so the
// dialog stays one message. Other answers (feedback thanks, a suggested
// entry) come as a new message and leave the answer they follow untouched.
func inPlace(i *discordgo.Interaction, r conversation.Reply) bool {
	return i.Type == discordgo.InteractionMessageComponent && (r.Question != nil || r.Verdict != nil)
}

// interactionMessage translates a command or a button click into the
// engine's Message.
func interactionMessage(i *discordgo.Interaction) (conversation.Message, bool) {
	m := conversation.Message{
		Platform:       conversation.PlatformDiscord,
		ConversationID: i.ChannelID,
		Locale:         string(i.Locale),
		Channel:        conversation.Channel{ID: i.ChannelID},
	}
	switch {
	case i.Member != nil && i.Member.User != nil:
		m.UserID = i.Member.User.ID
	case i.User != nil:
		m.UserID = i.User.ID
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		d := i.ApplicationCommandData()
		switch d.Name {
		case CommandAsk:
			for _, o := range d.Options {
				// The value is read as it came: StringValue panics on an
				// option without one (a malformed payload, found by fuzzing).
				if v, ok := o.Value.(string); ok && o.Name == optionQuestion && o.Type == discordgo.ApplicationCommandOptionString {
					m.Text = strings.TrimSpace(v)
				}
			}
		case CommandEligibility:
			// The engine's router knows this command word in French and English.
			m.Text = CommandEligibility
		case CommandSubscribe, CommandUnsubscribe:
			// The command word in the user's language, which the reply and
			// the announcements then follow.
			m.Text = d.Name
			if strings.HasPrefix(m.Locale, "en") {
				m.Text = map[string]string{CommandSubscribe: "subscribe", CommandUnsubscribe: "unsubscribe"}[d.Name]
			}
		default:
			return m, false
		}
	case discordgo.InteractionMessageComponent:
		d := i.MessageComponentData()
		if d.ComponentType != discordgo.ButtonComponent || d.CustomID == "" {
			return m, false
		}
		m.Action = d.CustomID
	default:
		return m, false
	}
	return m, m.UserID != ""
}

// kind names what a Message is, for logs that must not hold its text.
func kind(m conversation.Message) string {
	if m.Action != "" {
		return "button"
	}
	return "text"
}

// notice is an immediate message only the user sees.
func notice(text string) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         text,
			Flags:           discordgo.MessageFlagsEphemeral,
			AllowedMentions: noMentions,
		},
	}
}

// editOriginal replaces the interaction's original message (the deferred
// "thinking…" message, or the message whose button was clicked).
func (a *Adapter) editOriginal(i *discordgo.Interaction, m outMessage) {
	comps := emptyComponents(m.Components)
	content := m.Content
	embeds := m.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{} // an edit clears the old message's embeds
	}
	_, err := a.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
		Content:         &content,
		Components:      &comps,
		Embeds:          &embeds,
		AllowedMentions: noMentions,
	})
	if err != nil {
		a.log.Error("editing the interaction response failed", "err", redact(err))
	}
}

// followups sends msgs as follow-up messages of the interaction, in order.
func (a *Adapter) followups(i *discordgo.Interaction, msgs []outMessage) {
	for _, m := range msgs {
		_, err := a.s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
			Content:         m.Content,
			Components:      emptyComponents(m.Components),
			Embeds:          m.Embeds,
			AllowedMentions: noMentions,
		})
		if err != nil {
			a.log.Error("follow-up message failed", "err", redact(err))
			return
		}
	}
}

// onInteractionCreate answers an interaction received through the gateway
// (when no interactions endpoint URL is set in the Developer Portal).
func (a *Adapter) onInteractionCreate(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	defer a.rt.Recover("gateway interaction")
	if ic == nil || ic.Interaction == nil {
		return
	}
	resp, rest := a.respond(ic.Interaction)
	if err := s.InteractionRespond(ic.Interaction, resp); err != nil {
		a.log.Error("interaction response failed", "err", redact(err))
		return
	}
	if rest != nil {
		a.goSafe("follow-up", rest)
	}
}
