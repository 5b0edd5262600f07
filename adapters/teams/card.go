package teams

import (
	"encoding/json"
	"strings"

	"github.com/qc-ia/conformbot/conversation"
)

// Adaptive Card rendering. Teams refuses message payloads above roughly
// 28 KB, so a reply becomes as many cards as needed, each below
// maxCardBytes of JSON, splitting long text between blocks, never cutting it.
const (
	cardContentType = "application/vnd.microsoft.card.adaptive"
	cardSchema      = "http://adaptivecards.io/schemas/adaptive-card.json"
	cardVersion     = "1.5" // the highest version Teams renders on every client
	maxCardBytes    = 24 << 10
	actionsPerSet   = 5 // Teams shows at most 6 buttons in a row before an overflow menu
)

type card struct {
	Type    string    `json:"type"`
	Schema  string    `json:"$schema"`
	Version string    `json:"version"`
	Body    []element `json:"body"`
	MSTeams *struct {
		Width string `json:"width"`
	} `json:"msteams,omitempty"`
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
}

type cardAction struct {
	Type  string      `json:"type"`
	Title string      `json:"title"`
	Data  *submitData `json:"data,omitempty"`
	URL   string      `json:"url,omitempty"`
	Style string      `json:"style,omitempty"`
}

// submitData comes back as the activity's value when the button is clicked.
type submitData struct {
	Action string `json:"action"`
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
			h := subtle(l.StepLabel(q.Step))
			h.Separator = len(out) > 0
			out = append(out, h)
		}
		out = append(out, heading(q.Prompt))
		if q.Why != "" {
			w := subtle(l.Why)
			w.Weight = "Bolder"
			out = append(out, w, subtle(q.Why))
		}
		out = append(out, actionSets(q.Choices)...)
	}
	if v := r.Verdict; v != nil {
		h := heading(v.Title)
		h.Size, h.Color, h.Separator = "Large", verdictColor(v.Code), len(out) > 0
		out = append(out, h)
		if len(v.Exceptions) > 0 {
			out = append(out, textBlock(l.Exceptions+"\n"+bullets(v.Exceptions)))
		}
		if v.Explanation != "" {
			out = append(out, textBlock(v.Explanation))
		}
		if len(v.ToVerify) > 0 {
			out = append(out, textBlock(l.ToVerify+"\n"+bullets(v.ToVerify)))
		}
		if len(v.Citations) > 0 {
			qs := make([]string, 0, len(v.Citations))
			for _, c := range v.Citations {
				qs = append(qs, c.Question)
			}
			out = append(out, subtle(l.References+"\n"+bullets(qs)))
		}
	}
	if len(r.Suggestions) > 0 {
		h := heading(l.DidYouMean)
		h.Separator = len(out) > 0
		out = append(out, h)
		for _, s := range r.Suggestions {
			// A clickable tile shows the whole question, where a button
			// title would be truncated.
			text := s.Question
			if text == "" {
				text = s.Action.Label
			}
			act := toCardAction(s.Action)
			out = append(out, element{Type: "Container", Style: "emphasis",
				Items: []element{textBlock(text)}, SelectAction: &act})
		}
	}
	actions := r.Actions
	if e := r.Escalation; e != nil {
		out = append(out, textBlock(l.ReachLine(e.Email)))
		if e.Mailto != "" && !hasURL(actions, e.Mailto) {
			actions = append(actions[:len(actions):len(actions)], conversation.Action{Label: l.WriteMCN, URL: e.Mailto})
		}
	}
	return append(out, actionSets(actions)...)
}

func hasURL(actions []conversation.Action, url string) bool {
	for _, a := range actions {
		if a.URL == url {
			return true
		}
	}
	return false
}

func verdictColor(code string) string {
	switch code {
	case "usage-individuel-non-permis", "suspendu":
		return "Attention"
	case "indetermine":
		return "Warning"
	default:
		return "Accent"
	}
}

func newCard() *card {
	c := &card{Type: "AdaptiveCard", Schema: cardSchema, Version: cardVersion, Body: []element{}}
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
func renderCards(r conversation.Reply, limit int) []*card {
	empty := jsonSize(newCard())
	budget := limit - empty - 1 // 1: the comma between elements
	var flat []element
	for _, e := range elements(r) {
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
	return cards
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
