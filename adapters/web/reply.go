package web

import (
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

// replyJSON is the body of a 200 from /api/chat: the whole reply as plain
// text (for simple clients) beside the structured parts the page renders.
type replyJSON struct {
	Lang string `json:"lang"`
	// LangChosen: the person chose Lang in this turn (« english »): the
	// page's switch follows.
	LangChosen  bool             `json:"lang_chosen,omitempty"`
	Text        string           `json:"text"`
	Paragraphs  []string         `json:"paragraphs"`
	Answer      *answerJSON      `json:"answer,omitempty"`
	Question    *questionJSON    `json:"question,omitempty"`
	Verdict     *verdictJSON     `json:"verdict,omitempty"`
	Suggestions []suggestionJSON `json:"suggestions"`
	Escalation  *escalationJSON  `json:"escalation,omitempty"`
	Actions     []actionJSON     `json:"actions"`
	Labels      labelsJSON       `json:"labels"`
}

// labelsJSON are the conversation vocabulary's headings in the reply's
// language, so that the page says what every other surface says.
type labelsJSON struct {
	Step       string `json:"step,omitempty"` // the question's number, ready to show
	Why        string `json:"why"`
	Exceptions string `json:"exceptions"`
	ToVerify   string `json:"to_verify"`
	References string `json:"references"`
	DidYouMean string `json:"did_you_mean"`
	Reach      string `json:"reach"` // followed by the address
	Write      string `json:"write"` // the mailto: button
	Passage    string `json:"passage"`
	FullAnswer string `json:"full_answer"`
	Receipt    string `json:"receipt"` // the receipt's download link
	Answers    string `json:"your_answers"`
}

type actionJSON struct {
	ID    string `json:"id,omitempty"`
	Label string `json:"label"`
	Style string `json:"style,omitempty"`
	URL   string `json:"url,omitempty"`
}

type sourceJSON struct {
	Title     string `json:"title,omitempty"`
	Issuer    string `json:"issuer,omitempty"`
	Reference string `json:"reference,omitempty"`
	Date      string `json:"date,omitempty"` // YYYY-MM-DD
	Label     string `json:"label"`
	URL       string `json:"url,omitempty"` // https://, absent when unconfirmed
}

type relatedJSON struct {
	EntryID  string `json:"entry_id"`
	Question string `json:"question"`
	Action   string `json:"action"` // the action id that opens the entry
}

type linkJSON struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

type answerJSON struct {
	EntryID  string `json:"entry_id"`
	Question string `json:"question"`
	Text     string `json:"text"`
	// Passage is an exact substring of Text: the list item, paragraph or
	// sentence that answers the question, absent when none stands out.
	Passage string        `json:"passage,omitempty"`
	Source  sourceJSON    `json:"source"`
	Related []relatedJSON `json:"related"`
	Links   []linkJSON    `json:"links"`
	// Emphasis are the phrases of Text the FAQ sets in italics, each an
	// exact substring of it, in order.
	Emphasis []string `json:"emphasis"`
}

type questionJSON struct {
	Fact   string `json:"fact"`
	Prompt string `json:"prompt"`
	Why    string `json:"why,omitempty"`
	Step   int    `json:"step,omitempty"`
	// Remaining is an upper bound on the questions left, this one included.
	Remaining int          `json:"remaining,omitempty"`
	Choices   []actionJSON `json:"choices"`
}

type citationJSON struct {
	EntryID  string `json:"entry_id"`
	Question string `json:"question"`
	Action   string `json:"action,omitempty"` // opens the entry
	Label    string `json:"label,omitempty"`  // the question in sentence case, for its button
}

type verdictAnswerJSON struct {
	Fact   string `json:"fact"`
	Label  string `json:"label"`
	Value  string `json:"value"`  // yes, no or unknown
	Answer string `json:"answer"` // the value in the reply's language
}

type verdictJSON struct {
	Code        string              `json:"code"`
	Title       string              `json:"title"`
	Tone        string              `json:"tone"` // positive, negative or neutral
	Conclusion  string              `json:"conclusion,omitempty"`
	Answers     []verdictAnswerJSON `json:"answers"`
	Source      *sourceJSON         `json:"source,omitempty"`
	Exceptions  []string            `json:"exceptions,omitempty"`
	Explanation string              `json:"explanation,omitempty"`
	ToVerify    []string            `json:"to_verify,omitempty"`
	Citations   []citationJSON      `json:"citations,omitempty"`
	Receipt     string              `json:"receipt,omitempty"` // plain text, to download
}

type suggestionJSON struct {
	EntryID  string     `json:"entry_id"`
	Question string     `json:"question"`
	Action   actionJSON `json:"action"`
}

type escalationJSON struct {
	Email   string `json:"email"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Mailto  string `json:"mailto"`
}

func toJSON(r conversation.Reply) replyJSON {
	lang := r.Lang
	if lang == "" {
		lang = conversation.LangFR
	}
	out := replyJSON{
		Lang:        lang,
		LangChosen:  r.LangChosen,
		Text:        r.PlainText(),
		Paragraphs:  append([]string{}, r.Text...),
		Actions:     actions(r.Actions),
		Suggestions: []suggestionJSON{},
	}
	l := conversation.LabelsFor(lang)
	out.Labels = labelsJSON{Why: l.Why, Exceptions: l.Exceptions, ToVerify: l.ToVerify, References: l.References,
		DidYouMean: l.DidYouMean, Reach: l.ReachLine(""), Write: l.WriteMCN, Passage: l.Passage, FullAnswer: l.FullAnswer, Receipt: l.DownloadReceipt, Answers: l.YourAnswers}
	if q := r.Question; q != nil && q.Step > 0 {
		out.Labels.Step = l.Progress(q)
	}
	if a := r.Answer; a != nil {
		out.Answer = &answerJSON{
			EntryID:  a.EntryID,
			Question: a.Question,
			Text:     a.Text,
			Passage:  a.Passage,
			Related:  []relatedJSON{},
			Links:    []linkJSON{},
			Emphasis: append([]string{}, a.Emphasis...),
			Source: sourceJSON{
				Title:     a.Source.Title,
				Issuer:    a.Source.Issuer,
				Reference: a.Source.Reference,
				Date:      date(a.Source.Date),
				Label:     a.Source.Label,
				URL:       a.Source.URL,
			},
		}
		for _, rel := range a.Related {
			out.Answer.Related = append(out.Answer.Related, relatedJSON{EntryID: rel.EntryID, Question: rel.Question, Action: rel.Action.ID})
		}
		for _, k := range a.Links {
			out.Answer.Links = append(out.Answer.Links, linkJSON(k))
		}
	}
	if q := r.Question; q != nil {
		out.Question = &questionJSON{Fact: q.Fact, Prompt: q.Prompt, Why: q.Why, Step: q.Step, Remaining: q.Remaining, Choices: actions(q.Choices)}
	}
	if v := r.Verdict; v != nil {
		vj := &verdictJSON{Code: v.Code, Title: v.Title, Tone: v.Tone, Conclusion: v.Conclusion, Answers: []verdictAnswerJSON{},
			Exceptions: v.Exceptions, Explanation: v.Explanation, ToVerify: v.ToVerify, Receipt: v.Receipt}
		for _, a := range v.Answers {
			vj.Answers = append(vj.Answers, verdictAnswerJSON(a))
		}
		if s := v.Source; s.Label != "" {
			vj.Source = &sourceJSON{Title: s.Title, Issuer: s.Issuer, Reference: s.Reference, Date: date(s.Date), Label: s.Label, URL: s.URL}
		}
		for _, c := range v.Citations {
			vj.Citations = append(vj.Citations, citationJSON{EntryID: c.EntryID, Question: c.Question, Action: c.Action.ID, Label: conversation.SentenceCase(c.Question)})
		}
		out.Verdict = vj
	}
	for _, s := range r.Suggestions {
		out.Suggestions = append(out.Suggestions, suggestionJSON{EntryID: s.EntryID, Question: s.Question, Action: action(s.Action)})
	}
	if e := r.Escalation; e != nil {
		out.Escalation = &escalationJSON{Email: e.Email, Subject: e.Subject, Body: e.Body, Mailto: e.Mailto}
	}
	return out
}

func action(a conversation.Action) actionJSON {
	return actionJSON{ID: a.ID, Label: a.Label, Style: a.Style, URL: a.URL}
}

func actions(as []conversation.Action) []actionJSON {
	out := make([]actionJSON, 0, len(as))
	for _, a := range as {
		out = append(out, action(a))
	}
	return out
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
