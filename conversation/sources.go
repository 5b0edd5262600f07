package conversation

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
	"github.com/qc-ia/conformbot/rules"
)

// The engine's view of the FAQ, the search and the rules: each turns the
// other packages' types into the neutral parts of a Reply.

// Quote is entry en of kb as an Answer: the official text verbatim, with
// the source line in lang (the text itself stays French). The engine and
// `bot ask` quote through it, so both show the same source line.
func Quote(kb *faq.KB, en *faq.Entry, lang string) Answer {
	d := kb.Doc
	text, links := plainText(d, en.Answer)
	a := Answer{EntryID: en.ID, Question: en.Question, Text: text, Links: links, Emphasis: emphasis(en.Answer), Source: Source{
		Title: d.Title, Issuer: d.Issuer, Reference: d.Reference, Date: d.Date, Label: d.SourceLabel(lang), URL: d.URL,
	}}
	for _, id := range en.Related {
		if r, ok := kb.Entry(id); ok {
			if act, ok := action(actFAQ+id, SentenceCase(r.Question)); ok {
				a.Related = append(a.Related, Related{EntryID: id, Question: r.Question, Action: act})
			}
		}
	}
	return a
}

var (
	faqLink     = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]*)\)`)
	faqEmphasis = regexp.MustCompile(`\*([^*\n]+)\*`)
)

// plainText removes the FAQ's markup from an official answer, keeping every
// word: a [title](url) link becomes its title, listed in links when the
// document (or the link itself) gives an https:// address; *emphasis*
// loses its asterisks. No surface then prints "(#)" or markdown raw.
func plainText(d faq.Document, s string) (string, []Link) {
	var links []Link
	s = faqLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := faqLink.FindStringSubmatch(m)
		title, u := sub[1], sub[2]
		if known := d.LinkFor(title); known != "" {
			u = known
		}
		if strings.HasPrefix(u, "https://") {
			links = append(links, Link{Title: strings.TrimRight(title, ". "), URL: u})
		}
		return title
	})
	return faqEmphasis.ReplaceAllString(s, "$1"), links
}

// emphasis lists the phrases an official answer sets in *italics*, as they
// read once its markup is removed, in order: each is an exact substring of
// the answer's plain text.
func emphasis(s string) []string {
	s = faqLink.ReplaceAllString(s, "$1")
	var out []string
	for _, m := range faqEmphasis.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// answerOf quotes entry id verbatim, with its source line in lang. An
// engine's FAQ never changes (a reload builds another engine), so each
// entry is quoted once per language: removing the markup takes regular
// expressions over the whole answer, a good part of a turn otherwise. The
// slices are clipped, so a caller that appends to them copies first.
func (e *Engine) answerOf(id, lang string) (Answer, bool) {
	key := quoteKey{id, lang}
	if a, ok := e.quotes.Load(key); ok {
		return *a.(*Answer), true
	}
	en, ok := e.kb.Entry(id)
	if !ok {
		return Answer{}, false
	}
	a := Quote(e.kb, en, lang)
	a.Links, a.Related, a.Emphasis = slices.Clip(a.Links), slices.Clip(a.Related), slices.Clip(a.Emphasis)
	e.quotes.Store(key, &a)
	return a, true
}

type quoteKey struct{ id, lang string }

// found is the search's verdict on a message, in the engine's terms.
type found struct {
	decision index.Decision
	ids      []string // ranked entry ids
	offTopic bool     // a fallback with no entry near: not about the directive
	conf     float64  // confidence in the first
}

// search returns the decision on text and the ranked entry ids.
func (e *Engine) search(ctx context.Context, text string) (found, error) {
	res, err := e.index.Search(ctx, text)
	if err != nil {
		return found{decision: index.Fallback}, err
	}
	if tr := traceOf(ctx); tr != nil {
		tr.Search = &res
	}
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		if h.Entry != nil {
			ids = append(ids, h.Entry.ID)
		}
	}
	return found{decision: res.Decision, ids: ids, offTopic: res.Decision == index.Fallback && res.OffTopic, conf: res.Confidence}, nil
}

func facts(answers []FactAnswer) rules.Facts {
	f := make(rules.Facts, len(answers))
	for _, a := range answers {
		f[a.Fact] = rules.Value(a.Value)
	}
	return f
}

// step returns the next question (Fact, Prompt, Why) or the verdict for the
// answers so far.
func (e *Engine) step(answers []FactAnswer, lang string) (*Question, *Verdict, error) {
	q, v, _, err := e.stepFacts(facts(answers), lang)
	return q, v, err
}

// Check is what the dialog shows for a whole set of answers at once (`bot
// check --fact`): the next question, or the verdict, in lang, with the
// rules' outcome for a machine-readable contract. Without rules it fails.
func (e *Engine) Check(f rules.Facts, lang string) (Reply, rules.Outcome, error) {
	if e.rules == nil {
		return Reply{}, rules.Outcome{}, fmt.Errorf("conversation: no rules loaded")
	}
	q, v, o, err := e.stepFacts(f, lang)
	if err != nil {
		return Reply{}, o, err
	}
	r := Reply{Lang: lang, Verdict: v}
	if q != nil {
		q.Step = len(f) + 1
		r.Question = q
	}
	return r, o, nil
}

func (e *Engine) stepFacts(f rules.Facts, lang string) (*Question, *Verdict, rules.Outcome, error) {
	o := e.rules.Evaluate(f)
	if o.Decided() {
		u := textFor(lang)
		v := &Verdict{
			Code:        o.Verdict,
			Title:       e.rules.VerdictTitle(o.Verdict, lang),
			Tone:        e.rules.VerdictTone(o.Verdict),
			Conclusion:  e.rules.Conclude(o, f, lang),
			Explanation: e.rules.Explain(o, f, lang),
			Source: Source{Title: e.kb.Doc.Title, Issuer: e.kb.Doc.Issuer, Reference: e.kb.Doc.Reference,
				Date: e.kb.Doc.Date, Label: e.kb.Doc.SourceLabel(lang), URL: e.kb.Doc.URL},
		}
		// The answers the verdict rests on; the fallback rests on none, so
		// it lists every answer given.
		names := e.rules.Support(o, f)
		if len(names) == 0 {
			for _, n := range e.rules.FactNames() {
				if _, ok := f[n]; ok {
					names = append(names, n)
				}
			}
		}
		for _, n := range names {
			val := string(f[n])
			v.Answers = append(v.Answers, VerdictAnswer{Fact: n, Label: e.factLabel(n, lang), Value: val, Answer: choiceLabel(u, val)})
		}
		for _, x := range o.Exceptions {
			v.Exceptions = append(v.Exceptions, e.rules.ExceptionLabel(x, lang))
		}
		for _, name := range o.ToVerify {
			if fact, ok := e.rules.Fact(name); ok {
				v.ToVerify = append(v.ToVerify, fact.Question(lang))
			}
		}
		for _, id := range o.Citations {
			c := Citation{EntryID: id, Question: id}
			if en, ok := e.kb.Entry(id); ok {
				c.Question = en.Question
				c.Action, _ = action(actFAQ+id, SentenceCase(en.Question))
			}
			v.Citations = append(v.Citations, c)
		}
		return nil, v, o, nil
	}
	fact, ok := e.rules.Fact(o.Next)
	if !ok {
		return nil, nil, o, fmt.Errorf("rules: next fact %q is not declared", o.Next)
	}
	return &Question{Fact: fact.Name, Prompt: fact.Question(lang), Why: fact.Why(lang), Remaining: o.Remaining}, nil, o, nil
}

// factLabel is the short name of a fact in lang, for e-mail drafts.
func (e *Engine) factLabel(name, lang string) string {
	if fact, ok := e.rules.Fact(name); ok {
		if l := fact.Label(lang); l != "" {
			return l
		}
	}
	return name
}
