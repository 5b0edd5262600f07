package discord

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
)

// Discord's limits (discord.com/developers/docs: message content, components).
const (
	MaxMessageLen    = 2000 // characters of message content
	maxRows          = 5    // action rows per message
	maxButtonsPerRow = 5
	maxLabelLen      = 80  // characters of a button label
	maxCustomIDLen   = 100 // bytes of a custom_id
)

// outMessage is one Discord message of a rendered reply. Only the last
// message of a reply carries the buttons, so they sit under the text they
// act on.
type outMessage struct {
	Content    string
	Components []discordgo.MessageComponent
	Embeds     []*discordgo.MessageEmbed // a verdict's answers, as fields
}

// Discord's embed limits (discord.com/developers/docs: embed limits).
const (
	maxFields     = 25
	maxFieldName  = 256
	maxFieldValue = 1024
)

// answersEmbed lays out a verdict's answers as embed fields, label and
// answer side by side.
func answersEmbed(l *conversation.Labels, answers []conversation.VerdictAnswer) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Title: strings.TrimRight(l.YourAnswers, " :")}
	for _, a := range answers {
		if len(e.Fields) == maxFields {
			break
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: clipRunes(a.Label, maxFieldName), Value: clipRunes(a.Answer, maxFieldValue), Inline: true})
	}
	return e
}

// clipRunes keeps the first n runes of s, marking a cut with "…".
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// render turns a neutral reply into one or more Discord messages: the text
// split within MaxMessageLen, never cut, and the buttons in at most 5 rows
// of 5. dropped counts actions that could not be shown (logged by callers).
func render(r conversation.Reply) (msgs []outMessage, dropped int) {
	if q := r.Question; q != nil && q.Step > 0 {
		// Number the question as Slack, Teams and the web page do; the
		// copy leaves the caller's reply as it was.
		numbered := *q
		numbered.Prompt = "**" + conversation.LabelsFor(r.Lang).Progress(q) + "**\n" + q.Prompt
		r.Question = &numbered
	}
	var embeds []*discordgo.MessageEmbed
	if v := r.Verdict; v != nil && len(v.Answers) > 0 {
		// The answers go to fields rather than the text.
		embeds = append(embeds, answersEmbed(conversation.LabelsFor(r.Lang), v.Answers))
		bare := *v
		bare.Answers = nil
		r.Verdict = &bare
	}
	text := r.PlainText()
	var links []string
	buttons, links, dropped := components(r)
	if len(links) > 0 {
		text = strings.TrimSpace(text + "\n\n" + strings.Join(links, "\n"))
	}
	if text == "" {
		// Discord refuses a message with neither content nor embeds.
		text = "…"
	}
	for _, c := range splitter.Split(text) {
		msgs = append(msgs, outMessage{Content: c})
	}
	msgs[len(msgs)-1].Components = buttons
	msgs[len(msgs)-1].Embeds = embeds
	return msgs, dropped
}

// components lays out the reply's buttons in Reply.Buttons order (the
// question's choices, the suggestions, then the other actions, each id
// once). Actions whose URL Discord cannot open from a button (mailto:) come
// back as text lines.
func components(r conversation.Reply) (rows []discordgo.MessageComponent, links []string, dropped int) {
	var buttons []discordgo.MessageComponent
	for _, a := range r.Buttons() {
		var b discordgo.Button
		switch {
		case a.URL != "" && buttonURL(a.URL):
			b = discordgo.Button{Label: label(a.Label), Style: discordgo.LinkButton, URL: a.URL}
		case a.URL != "":
			if line := linkText(a, r); line != "" {
				links = append(links, line)
			}
			continue
		case len(a.ID) > maxCustomIDLen:
			dropped++
			continue
		default:
			b = discordgo.Button{Label: label(a.Label), Style: style(a.Style), CustomID: a.ID}
		}
		if len(buttons) == maxRows*maxButtonsPerRow {
			dropped++
			continue
		}
		buttons = append(buttons, b)
	}
	for len(buttons) > 0 {
		n := min(maxButtonsPerRow, len(buttons))
		rows = append(rows, discordgo.ActionsRow{Components: buttons[:n]})
		buttons = buttons[n:]
	}
	return rows, links, dropped
}

// buttonURL reports whether Discord accepts u on a link button: only
// http, https and discord URLs are allowed, so a mailto: link must be text.
func buttonURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https", "discord":
		return true
	}
	return false
}

// linkText renders a link Discord cannot put on a button: for mailto:, the
// label, the address (unless the escalation line shows it) and the
// suggested subject, so the user can write the e-mail themselves.
func linkText(a conversation.Action, r conversation.Reply) string {
	l := conversation.LabelsFor(r.Lang)
	colon := l.Colon
	p, err := url.Parse(a.URL)
	if err != nil || !strings.EqualFold(p.Scheme, "mailto") {
		return strings.TrimSpace(a.Label) + colon + a.URL
	}
	addr := p.Opaque
	if addr == "" {
		addr = p.Path
	}
	if dec, err := url.PathUnescape(addr); err == nil {
		addr = dec
	}
	line := "✉️ " + strings.TrimSpace(a.Label) + colon + addr
	if r.Escalation != nil && strings.EqualFold(r.Escalation.Email, addr) {
		// The reply's escalation line just above already gives the address.
		line = "✉️ " + strings.TrimSpace(a.Label)
	}
	subject := p.Query().Get("subject")
	if r.Escalation != nil && r.Escalation.Subject != "" {
		subject = r.Escalation.Subject
	}
	if subject != "" {
		line += " (" + l.Subject + " " + subject + ")"
	}
	return line
}

func style(s string) discordgo.ButtonStyle {
	switch s {
	case "primary":
		return discordgo.PrimaryButton
	case "danger":
		return discordgo.DangerButton
	}
	return discordgo.SecondaryButton
}

// label keeps a button label within Discord's 80 characters; a label is a
// short name of an action, so an ellipsis loses nothing the user needs.
func label(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "…"
	}
	if utf8.RuneCountInString(s) <= maxLabelLen {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:maxLabelLen-1])) + "…"
}

// splitter keeps each message within Discord's limit, counted in UTF-16
// code units (an emoji may count as two).
var splitter = conversation.Splitter{Limit: MaxMessageLen, Len: conversation.UTF16Len}
