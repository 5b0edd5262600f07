package teams

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/qc-ia/conformbot/conversation"
)

// Adaptive Card rendering. Teams refuses message payloads above roughly
// 28 KB, so a reply becomes as many cards as needed, each below
// maxCardBytes of JSON, splitting long text between blocks, never cutting it.
const (
	cardContentType = "application/vnd.microsoft.card.adaptive"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	maxCardBytes    = 24 << 10
	actionsPerSet   = 5 // Teams shows at most 6 buttons in a row before an overflow menu
)

type card struct {
	Type    string    `json:"type"`
	Schema  string    `json:"$schema"`
	Version string    `json:"version"`
	Body    []element `json:"body"`
	// FallbackText is what a client that cannot render the card shows.
	FallbackText string `json:"fallbackText,omitempty"`
	MSTeams      *struct {
		Width string `json:"width"`
	} `json:"msteams,omitempty"`
}

// fact is one row of a FactSet.
type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type element struct {
	Type         string       `json:"type"`
	Text         string       `json:"text,omitempty"`
	Wrap         bool         `json:"wrap,omitempty"`
	Weight       string       `json:"weight,omitempty"`
	Size         string       `json:"size,omitempty"`
	Color        string       `json:"color,omitempty"`
	IsSubtle     bool         `json:"isSubtle,omitempty"`
	Separator    bool         `json:"separator,omitempty"`
	Spacing      string       `json:"spacing,omitempty"`
	Style        string       `json:"style,omitempty"`
	Items        []element    `json:"items,omitempty"`
	Actions      []cardAction `json:"actions,omitempty"`
	SelectAction *cardAction  `json:"selectAction,omitempty"`
	Facts        []fact       `json:"facts,omitempty"`
}

type cardAction struct {
	Type  string      `json:"type"`
	Title string      `json:"title"`
	Data  *submitData `json:"data,omitempty"`
	URL   string      `json:"url,omitempty"`
	Style string      `json:"style,omitempty"`
}

// submitData comes back as the activity's value when the button is clicked.
// Owner (a keyed hash of the user the card was for) tells a colleague's
// click from the owner's; Rec and Prompt are the compact record the card
// becomes once its question is answered.
type submitData struct {
	Action string `json:"action"`
	Owner  string `json:"owner,omitempty"`
	Rec    string `json:"rec,omitempty"`
	Prompt string `json:"prompt,omitempty"`
}

func textBlock(s string) element { return element{Type: "TextBlock", Text: s, Wrap: true} }

func heading(s string) element {
	e := textBlock(s)
	e.Weight, e.Size = "Bolder", "Medium"
	return e
}

func subtle(s string) element {
	e := textBlock(s)
	e.IsSubtle, e.Size, e.Spacing = true, "Small", "Small"
	return e
}

func toCardAction(a conversation.Action) cardAction {
	if a.URL != "" {
		return cardAction{Type: "Action.OpenUrl", Title: a.Label, URL: a.URL}
	}
	ca := cardAction{Type: "Action.Submit", Title: a.Label, Data: &submitData{Action: a.ID}}
	switch a.Style {
	case "primary":
		ca.Style = "positive"
	case "danger":
		ca.Style = "destructive"
	}
	return ca
}

func actionSets(actions []conversation.Action) []element {
	var out []element
	for i := 0; i < len(actions); i += actionsPerSet {
		set := element{Type: "ActionSet"}
		for _, a := range actions[i:min(i+actionsPerSet, len(actions))] {
			set.Actions = append(set.Actions, toCardAction(a))
		}
		out = append(out, set)
	}
	return out
}

func bullets(items []string) string {
	return "- " + strings.Join(items, "\n- ")
}

// elements lays out the parts of r in reading order.
func elements(r conversation.Reply) []element {
	l := conversation.LabelsFor(r.Lang)
	var out []element
	shown := map[string]bool{} // buttons already placed with their part
	for _, t := range r.Text {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, textBlock(t))
		}
	}
	if a := r.Answer; a != nil {
		if a.Question != "" {
			out = append(out, heading(a.Question))
		}
		if a.Passage != "" {
			out = append(out, subtle(l.Passage), textBlock("« "+a.Passage+" »"), subtle(l.FullAnswer))
		}
		if a.Text != "" {
			out = append(out, textBlock(a.Text))
		}
		if a.Source.Label != "" {
			out = append(out, subtle(a.Source.Label))
		}
	}
	if q := r.Question; q != nil {
		if q.Step > 0 {
			h := subtle(l.Progress(q))
			h.Separator = len(out) > 0
			out = append(out, h)
		}
		out = append(out, heading(q.Prompt))
		if q.Why != "" {
			w := subtle(l.Why)
			w.Weight = "Bolder"
			out = append(out, w, subtle(q.Why))
		}
		sets := actionSets(q.Choices)
		for _, set := range sets {
			for i := range set.Actions {
				if d := set.Actions[i].Data; d != nil && q.Step > 0 {
					d.Rec = fmt.Sprintf(l.Answered, l.StepLabel(q.Step), set.Actions[i].Title)
					d.Prompt = q.Prompt
				}
			}
		}
		out = append(out, sets...)
	}
	if v := r.Verdict; v != nil {
		out = append(out, verdictElements(l, v, len(out) > 0, shown)...)
	}
	if len(r.Suggestions) > 0 {
		h := heading(l.DidYouMean)
		h.Separator = len(out) > 0
		out = append(out, h)
		// One button per row, titled with the whole question in sentence
		// case: a button looks clickable, where a shaded tile did not.
		for _, s := range r.Suggestions {
			a := s.Action
			if s.Question != "" {
				a.Label = conversation.SentenceCase(s.Question)
			}
			if a.Label == "" {
				a.Label = l.View
			}
			shown[a.ID] = true
			out = append(out, actionSets([]conversation.Action{a})...)
		}
	}
	var actions []conversation.Action
	for _, a := range r.Actions {
		if a.ID == "" || !shown[a.ID] {
			actions = append(actions, a)
		}
	}
	if e := r.Escalation; e != nil {
		out = append(out, textBlock(l.ReachLine(e.Email)))
		if e.Mailto != "" && !hasURL(actions, e.Mailto) {
			actions = append(actions, conversation.Action{Label: l.WriteMCN, URL: e.Mailto})
		}
	}
	return append(out, actionSets(actions)...)
}

// verdictElements lays out a verdict to read at a glance: the mark and
// headline, the conclusion, the answers as a FactSet, the reasons, the
// references as buttons that open their entry, and the source.
func verdictElements(l *conversation.Labels, v *conversation.Verdict, sep bool, shown map[string]bool) []element {
	h := heading(l.Mark(v.Tone) + " " + v.Title)
	h.Size, h.Color, h.Separator = "Large", toneColor(v.Tone), sep
	out := []element{h}
	if v.Conclusion != "" {
		c := textBlock(v.Conclusion)
		c.Weight = "Bolder"
		out = append(out, c)
	} else if len(v.Exceptions) > 0 {
		out = append(out, textBlock(l.Exceptions+"\n"+bullets(v.Exceptions)))
	}
	if len(v.Answers) > 0 {
		fs := element{Type: "FactSet"}
		for _, a := range v.Answers {
			fs.Facts = append(fs.Facts, fact{Title: a.Label, Value: a.Answer})
		}
		out = append(out, subtle(l.YourAnswers), fs)
	}
	if v.Explanation != "" {
		out = append(out, textBlock(v.Explanation))
	}
	if len(v.ToVerify) > 0 {
		out = append(out, textBlock(l.ToVerify+"\n"+bullets(v.ToVerify)))
	}
	if len(v.Citations) > 0 {
		out = append(out, subtle(l.References))
		for _, c := range v.Citations {
			if c.Action.ID == "" {
				out = append(out, textBlock("- "+c.Question))
				continue
			}
			a := c.Action
			a.Label = conversation.SentenceCase(c.Question)
			shown[a.ID] = true
			out = append(out, actionSets([]conversation.Action{a})...)
		}
	}
	if v.Source.Label != "" {
		out = append(out, subtle(v.Source.Label))
	}
	return out
}

// forActions calls f on every action of es.
func forActions(es []element, f func(*cardAction)) {
	for i := range es {
		for j := range es[i].Actions {
			f(&es[i].Actions[j])
		}
		if es[i].SelectAction != nil {
			f(es[i].SelectAction)
		}
		forActions(es[i].Items, f)
	}
}

func hasURL(actions []conversation.Action, url string) bool {
	for _, a := range actions {
		if a.URL == url {
			return true
		}
	}
	return false
}

// toneColor picks a headline colour that keeps 3:1 against the card in
// Teams' themes (Good and Warning do not: 2.1:1 and 1.47:1 on white); the
// mark before the headline says the same without colour.
func toneColor(tone string) string {
	switch tone {
	case conversation.ToneNegative:
		return "Attention"
	case conversation.TonePositive:
		return "Accent"
	default:
		return "Default"
	}
}

func newCard() *card {
	c := &card{Type: "AdaptiveCard", Schema: cardSchema, Version: "1.0", Body: []element{}}
	c.MSTeams = &struct {
		Width string `json:"width"`
	}{"Full"}
	return c
}

func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

// renderCards packs the reply's elements into cards of at most limit bytes.
func renderCards(r conversation.Reply, limit int) []*card { return renderCardsFor(r, limit, "") }

// renderCardsFor is renderCards with owner (see submitData) on every button.
func renderCardsFor(r conversation.Reply, limit int, owner string) []*card {
	// Room for the fallback text, escaped.
	empty := jsonSize(newCard()) + len(`,"fallbackText":""`) + 2*maxFallback
	budget := limit - empty - 1 // 1: the comma between elements
	es := elements(r)
	l := conversation.LabelsFor(r.Lang)
	forActions(es, func(a *cardAction) {
		if a.Data == nil {
			return
		}
		a.Data.Owner = owner
		if a.Data.Rec == "" {
			a.Data.Rec = fmt.Sprintf(l.Chosen, a.Title)
		}
	})
	var flat []element
	for _, e := range es {
		flat = append(flat, splitElement(e, budget)...)
	}
	var cards []*card
	cur, size := newCard(), empty
	for _, e := range flat {
		n := jsonSize(e) + 1
		if len(cur.Body) > 0 && size+n > limit {
			cards = append(cards, cur)
			cur, size = newCard(), empty
		}
		cur.Body = append(cur.Body, e)
		size += n
	}
	if len(cur.Body) > 0 {
		cards = append(cards, cur)
	}
	for _, c := range cards {
		c.Version = minVersion(c.Body)
		c.FallbackText = fallbackText(c.Body)
	}
	return cards
}

// minVersion is the lowest Adaptive Card version that holds what body uses,
// so that older clients render it: ActionSet and action styles are 1.2,
// a Container's selectAction 1.1, the rest 1.0.
func minVersion(body []element) string {
	v := "1.0"
	var walk func([]element)
	walk = func(es []element) {
		for _, e := range es {
			switch {
			case e.Type == "ActionSet":
				v = "1.2"
			case e.SelectAction != nil && v < "1.1":
				v = "1.1"
			}
			walk(e.Items)
		}
	}
	walk(body)
	return v
}

// maxFallback bounds fallbackText: a card's text, for the clients that show
// no card, without doubling the card's size.
const maxFallback = 1000

// fallbackText is the card's first texts, in order, up to maxFallback bytes.
func fallbackText(body []element) string {
	var b strings.Builder
	var walk func([]element)
	walk = func(es []element) {
		for _, e := range es {
			t := e.Text
			for _, f := range e.Facts {
				t += f.Title + " : " + f.Value + "\n"
			}
			if t = strings.TrimSpace(t); t != "" && b.Len() < maxFallback {
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				b.WriteString(t)
			}
			walk(e.Items)
		}
	}
	walk(body)
	return clipBytes(b.String(), maxFallback)
}

// clipBytes cuts s at a rune boundary within n bytes, marking the cut.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// splitElement breaks a text block too large for one card into several
// blocks at paragraph, line, sentence or word boundaries. Other elements are
// small by construction (button labels, ids <= 100 bytes) and kept whole.
func splitElement(e element, budget int) []element {
	if e.Type != "TextBlock" || jsonSize(e) <= budget {
		return []element{e}
	}
	// The text's JSON size is its length: the budget less the block's
	// other fields.
	empty := e
	empty.Text = ""
	sp := conversation.Splitter{Limit: budget - jsonSize(empty) - len(`"text":"",`), Len: jsonLen}
	var out []element
	for _, part := range sp.Split(e.Text) {
		c := e
		c.Text = part
		out = append(out, c)
	}
	return out
}

// jsonLen is the size of s as a JSON string, without its quotes.
func jsonLen(s string) int { return jsonSize(s) - 2 }
