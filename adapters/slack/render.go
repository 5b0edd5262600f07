package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/qc-ia/conformbot/conversation"
)

// Slack's Block Kit limits.
const (
	maxSectionText  = 3000 // characters in a section's text
	maxContextText  = 2000 // characters in a context element
	maxBlocks       = 50   // blocks in one message
	maxButtonsBlock = 25   // elements in one actions block
	maxButtonText   = 75   // characters in a button label
	maxButtonURL    = 3000 // characters in a link button's URL
	maxFallback     = 150  // notification text; the blocks hold everything
)

// Reserved action ids: the engine's ids are opaque and never start with
// this prefix in practice; the adapter's own buttons do.
const (
	reservedPrefix = "_slack."
	actionShare    = reservedPrefix + "share"
	actionLink     = reservedPrefix + "link." // link buttons: Slack still notifies the click
	dialogBlock    = "dlg."                   // block ids of a dialog step: clicks update it in place
	actionBlock    = "act."                   // block ids of other buttons
)

// parseBlockID reads back the kind and owner tag that render put into a
// block id ("dlg.<owner>.a3").
func parseBlockID(id string) (kind, owner string) {
	for _, k := range []string{dialogBlock, actionBlock} {
		if rest, ok := strings.CutPrefix(id, k); ok {
			owner, _, _ = strings.Cut(rest, ".")
			return k, owner
		}
	}
	return "", ""
}

// message is one Slack message: blocks plus the notification fallback text.
type message struct {
	Text   string
	Blocks []slack.Block
}

// renderOptions adds the adapter's own parts to a rendered reply.
type renderOptions struct {
	shareToken string // adds a "share in the channel" button
	owner      string // tags block ids: whose buttons these are
	sharedBy   string // Slack user id: marks a copy shared in a channel
}

// renderer builds the blocks of one reply; ids count blocks and buttons so
// that block_id and action_id stay unique within each message.
type renderer struct {
	l       *conversation.Labels
	blocks  []slack.Block
	ids     int
	prefix  string
	actions map[string]bool
}

// render turns a neutral Reply into one or more Slack messages, each within
// Slack's limits. Long text is split on paragraph, line, sentence or word
// boundaries and spread over several messages when needed; nothing is cut.
func render(r conversation.Reply, o renderOptions) []message {
	if r.IsEmpty() {
		return nil
	}
	kind := actionBlock
	if r.Question != nil || r.Verdict != nil {
		kind = dialogBlock
	}
	rd := &renderer{l: conversation.LabelsFor(r.Lang), prefix: kind + o.owner + ".", actions: map[string]bool{}}
	if o.sharedBy != "" {
		rd.context(fmt.Sprintf(rd.l.SharedBy, "<@"+o.sharedBy+">"))
	}
	for _, t := range r.Text {
		rd.section(toMrkdwn(t))
	}
	if a := r.Answer; a != nil {
		rd.section(bold(a.Question))
		if a.Passage != "" {
			rd.section(bold(rd.l.Passage) + "\n> " + escapeMrkdwn(a.Passage))
			rd.section(bold(rd.l.FullAnswer))
		}
		rd.section(toMrkdwn(a.Text))
		rd.context(escapeMrkdwn(a.Source.Label))
	}
	if q := r.Question; q != nil {
		head := bold(rd.l.Progress(q))
		if q.Step <= 0 {
			head = ""
		}
		rd.section(strings.TrimSpace(head + "\n" + toMrkdwn(q.Prompt)))
		if strings.TrimSpace(q.Why) != "" {
			rd.context("_" + rd.l.Why + "_ " + toMrkdwn(q.Why))
		}
		rd.buttons(q.Choices, nil)
	}
	if v := r.Verdict; v != nil {
		head := rd.l.Mark(v.Tone) + " " + bold(v.Title)
		if v.Conclusion == "" {
			head += bullets(v.Exceptions) // a conclusion names them
		}
		rd.section(head)
		if v.Conclusion != "" {
			rd.section(toMrkdwn(v.Conclusion))
		}
		rd.fields(rd.l.YourAnswers, v.Answers)
		rd.section(toMrkdwn(v.Explanation))
		if len(v.ToVerify) > 0 {
			rd.section(bold(rd.l.ToVerify) + bullets(v.ToVerify))
		}
		if len(v.Citations) > 0 {
			qs := make([]string, len(v.Citations))
			for i, c := range v.Citations {
				qs[i] = c.Question
			}
			rd.section(bold(rd.l.References) + bullets(qs))
		}
		rd.context(escapeMrkdwn(v.Source.Label))
	}
	if len(r.Suggestions) > 0 {
		rd.section(bold(rd.l.DidYouMean))
		for _, s := range r.Suggestions {
			rd.suggestion(s)
		}
	}
	actions := r.Actions
	if e := r.Escalation; e != nil {
		text := rd.l.ReachLine(escapeMrkdwn(e.Email))
		if e.Subject != "" {
			text += "\n" + bold(rd.l.Subject) + " " + escapeMrkdwn(e.Subject)
		}
		rd.section(text)
		if e.Body != "" {
			rd.section(quote(escapeMrkdwn(e.Body)))
		}
		if e.Mailto != "" && !hasURL(r.Actions, e.Mailto) {
			actions = append(actions, conversation.Action{Label: rd.l.WriteMCN, URL: e.Mailto})
		}
	}
	rd.links(actions)
	var extra []*slack.ButtonBlockElement
	if o.shareToken != "" {
		extra = append(extra, slack.NewButtonBlockElement(actionShare, o.shareToken,
			slack.NewTextBlockObject(slack.PlainTextType, rd.l.Share, false, false)))
	}
	rd.buttons(actions, extra)
	return rd.messages(r.PlainText())
}

func bold(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return "*" + toMrkdwn(s) + "*"
}

func bullets(items []string) string {
	var b strings.Builder
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			b.WriteString("\n• " + toMrkdwn(it))
		}
	}
	return b.String()
}

func quote(s string) string {
	return "> " + strings.ReplaceAll(s, "\n", "\n> ")
}

func hasURL(actions []conversation.Action, url string) bool {
	for _, a := range actions {
		if a.URL == url {
			return true
		}
	}
	return false
}

func (rd *renderer) nextID(kind string) string {
	rd.ids++
	return fmt.Sprintf("%s%s%d", rd.prefix, kind, rd.ids)
}

// section adds mrkdwn text, split over as many sections as needed.
func (rd *renderer) section(mrkdwn string) {
	for _, chunk := range splitMrkdwn(mrkdwn, maxSectionText) {
		rd.blocks = append(rd.blocks, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, chunk, false, false), nil, nil))
	}
}

// maxFields is Slack's limit of fields in one section block.
const maxFields = 10

// fields lays out a verdict's answers as a section's two-column fields
// (label in bold, answer below), ten to a section.
func (rd *renderer) fields(head string, answers []conversation.VerdictAnswer) {
	if len(answers) == 0 {
		return
	}
	rd.section(bold(head))
	for i := 0; i < len(answers); i += maxFields {
		var fs []*slack.TextBlockObject
		for _, a := range answers[i:min(i+maxFields, len(answers))] {
			fs = append(fs, slack.NewTextBlockObject(slack.MarkdownType, bold(a.Label)+"\n"+escapeMrkdwn(a.Answer), false, false))
		}
		rd.blocks = append(rd.blocks, slack.NewSectionBlock(nil, fs, nil))
	}
}

// context adds small grey text; text too long for a context element goes
// into sections instead, so nothing is lost.
func (rd *renderer) context(mrkdwn string) {
	if strings.TrimSpace(mrkdwn) == "" {
		return
	}
	if slackLen(mrkdwn) > maxContextText {
		rd.section(mrkdwn)
		return
	}
	rd.blocks = append(rd.blocks, slack.NewContextBlock("",
		slack.NewTextBlockObject(slack.MarkdownType, mrkdwn, false, false)))
}

// suggestion is a section holding the full question, with its button on the
// side so that a long question never has to fit in a 75-character label.
func (rd *renderer) suggestion(s conversation.Suggestion) {
	text := "• " + toMrkdwn(s.Question)
	var acc *slack.Accessory
	a := s.Action
	if a.Label == "" {
		a.Label = rd.l.View
	}
	if b := rd.button(a); b != nil {
		acc = slack.NewAccessory(b)
	}
	chunks := splitMrkdwn(text, maxSectionText)
	for i, c := range chunks {
		var opts []slack.SectionBlockOption
		var side *slack.Accessory
		if i == len(chunks)-1 && acc != nil {
			side = acc
			opts = append(opts, slack.SectionBlockOptionBlockID(rd.nextID("sug")))
		}
		rd.blocks = append(rd.blocks, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, c, false, false), nil, side, opts...))
	}
}

// button renders one engine Action: its id goes into action_id and value;
// a link Action becomes a url button.
func (rd *renderer) button(a conversation.Action) *slack.ButtonBlockElement {
	label := shorten(a.Label, maxButtonText)
	if label == "" {
		return nil
	}
	var b *slack.ButtonBlockElement
	switch {
	case a.URL != "":
		if !isWebURL(a.URL) || slackLen(a.URL) > maxButtonURL {
			return nil // rendered as a link in the text by links
		}
		rd.ids++
		b = slack.NewButtonBlockElement(fmt.Sprintf("%s%d", actionLink, rd.ids), "", nil)
		b.URL = a.URL
	case a.ID != "":
		id := a.ID
		if rd.actions[id] { // action_id must be unique; value keeps the engine's id
			rd.ids++
			id = fmt.Sprintf("%s#%d", a.ID, rd.ids)
		}
		rd.actions[id] = true
		b = slack.NewButtonBlockElement(id, a.ID, nil)
	default:
		return nil
	}
	b.Text = slack.NewTextBlockObject(slack.PlainTextType, label, true, false)
	switch a.Style {
	case "primary":
		b.Style = slack.StylePrimary
	case "danger":
		b.Style = slack.StyleDanger
	}
	return b
}

func isWebURL(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// links shows the link Actions that cannot be url buttons (mailto:, or too
// long) as mrkdwn links, which Slack documents for mailto: as well. A mailto
// draft too long for a section keeps its address; the draft itself is shown
// in the message.
func (rd *renderer) links(actions []conversation.Action) {
	var lines []string
	for _, a := range actions {
		if a.URL == "" || (isWebURL(a.URL) && slackLen(a.URL) <= maxButtonURL) {
			continue
		}
		url := a.URL
		if slackLen(url) > maxSectionText-200 {
			i := strings.IndexByte(url, '?')
			if !strings.HasPrefix(strings.ToLower(url), "mailto:") || i < 0 {
				continue
			}
			url = url[:i]
		}
		label := strings.TrimSpace(a.Label)
		if label == "" {
			label = strings.TrimPrefix(url, "mailto:")
		}
		lines = append(lines, "✉️ "+slackLink(url, label))
	}
	if len(lines) > 0 {
		rd.section(strings.Join(lines, "\n"))
	}
}

// buttons adds actions blocks of at most 25 buttons.
func (rd *renderer) buttons(actions []conversation.Action, extra []*slack.ButtonBlockElement) {
	var elems []slack.BlockElement
	for _, a := range actions {
		if b := rd.button(a); b != nil {
			elems = append(elems, b)
		}
	}
	for _, b := range extra {
		elems = append(elems, b)
	}
	for len(elems) > 0 {
		n := min(len(elems), maxButtonsBlock)
		rd.blocks = append(rd.blocks, slack.NewActionBlock(rd.nextID("a"), elems[:n]...))
		elems = elems[n:]
	}
}

// messages spreads the blocks over messages of at most 50 blocks.
func (rd *renderer) messages(plain string) []message {
	fallback := plain
	if i := strings.Index(fallback, "\n"); i > 0 {
		fallback = fallback[:i]
	}
	fallback = escapeMrkdwn(shorten(fallback, maxFallback))
	var out []message
	for i := 0; len(rd.blocks) > 0; i++ {
		n := min(len(rd.blocks), maxBlocks)
		text := fallback
		if i > 0 {
			text += " " + rd.l.More
		}
		out = append(out, message{Text: text, Blocks: rd.blocks[:n:n]})
		rd.blocks = rd.blocks[n:]
	}
	return out
}

// textMessage is a message the adapter writes on its own.
func textMessage(text string) message {
	mr := escapeMrkdwn(text)
	var blocks []slack.Block
	for _, c := range splitMrkdwn(mr, maxSectionText) {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, c, false, false), nil, nil))
	}
	return message{Text: escapeMrkdwn(shorten(text, maxFallback)), Blocks: blocks}
}
