package rules

import (
	"strings"
)

// VerdictTitle is a verdict's short headline in "fr" or "en" (the code
// itself when unknown).
func (rs *RuleSet) VerdictTitle(code, lang string) string {
	if v := rs.verdictIdx[code]; v != nil {
		return v.title.in(lang)
	}
	return code
}

// ExceptionLabel names an exception in "fr" or "en" (the name itself when
// unknown).
func (rs *RuleSet) ExceptionLabel(name, lang string) string {
	if i, ok := rs.excIdx[name]; ok {
		return rs.exceptions[i].label.in(lang)
	}
	return name
}

// VerdictTone is how verdict code reads: "positive", "negative" or
// "neutral" (also for an unknown code).
func (rs *RuleSet) VerdictTone(code string) string {
	if v := rs.verdictIdx[code]; v != nil && v.tone != "" {
		return v.tone
	}
	return "neutral"
}

// VerdictContact reports whether the rules offer the MCN's contact after
// verdict code (a person can help settle or act on it).
func (rs *RuleSet) VerdictContact(code string) bool {
	v := rs.verdictIdx[code]
	return v != nil && v.contact
}

// Support lists, in question order, the answered facts the outcome's
// verdict rests on (none for the fallback verdict).
func (rs *RuleSet) Support(o Outcome, f Facts) []string {
	v := rs.verdictIdx[o.Verdict]
	if v == nil || v.when == nil {
		return nil
	}
	var out []string
	for _, fi := range rs.supportOf(v, rs.states(f)) {
		out = append(out, rs.facts[fi].Name)
	}
	return out
}

// Conclude is the verdict's one-sentence conclusion in lang, from its
// template; "" when the rules give none.
func (rs *RuleSet) Conclude(o Outcome, f Facts, lang string) string {
	v := rs.verdictIdx[o.Verdict]
	if v == nil || (v.conclusion.FR == "" && v.conclusion.EN == "") {
		return ""
	}
	return rs.fill(v, v.conclusion.in(lang), o, f, lang)
}

// AnswerWord is how an answer reads in a sentence.
func AnswerWord(v Value, lang string) string {
	en := lang == "en"
	switch v {
	case Yes:
		if en {
			return "yes"
		}
		return "oui"
	case No:
		if en {
			return "no"
		}
		return "non"
	case Unknown:
		if en {
			return "don't know"
		}
		return "je ne sais pas"
	}
	return string(v)
}

// Explain says in plain language which answers led to the outcome and which
// clause applies, from the verdict's template. While undecided it says why
// the next question is asked.
func (rs *RuleSet) Explain(o Outcome, f Facts, lang string) string {
	if o.Verdict == "" {
		if fact, ok := rs.Fact(o.Next); ok {
			return fact.Why(lang)
		}
		return ""
	}
	v := rs.verdictIdx[o.Verdict]
	if v == nil {
		return ""
	}
	return rs.fill(v, v.explanation.in(lang), o, f, lang)
}

// fill replaces the placeholders of one of v's templates.
func (rs *RuleSet) fill(v *verdict, tmpl string, o Outcome, f Facts, lang string) string {
	sep := " ; "
	or := " ou "
	if lang == "en" {
		sep, or = "; ", " or "
	}
	var answers []string
	if v.when != nil {
		st := rs.states(f)
		for _, fi := range rs.supportOf(v, st) {
			fact := rs.facts[fi]
			answers = append(answers, fact.Label(lang)+" : "+AnswerWord(f[fact.Name], lang))
		}
	}
	var excs, verify, possible []string
	for _, e := range o.Exceptions {
		excs = append(excs, rs.ExceptionLabel(e, lang))
	}
	for _, name := range o.ToVerify {
		if fact, ok := rs.Fact(name); ok {
			verify = append(verify, "« "+fact.Label(lang)+" »")
		}
	}
	for _, c := range o.Possible {
		possible = append(possible, "« "+rs.VerdictTitle(c, lang)+" »")
	}
	if lang == "en" {
		for i := range answers {
			answers[i] = strings.Replace(answers[i], " : ", ": ", 1)
		}
		for i := range verify {
			verify[i] = englishQuotes.Replace(verify[i])
		}
		for i := range possible {
			possible[i] = englishQuotes.Replace(possible[i])
		}
	}
	return replacePlaceholders(tmpl, [len(fillNames)]string{
		strings.Join(answers, sep),
		strings.Join(excs, sep),
		joinList(verify, lang),
		strings.Join(possible, or),
		rs.Contact,
	})
}

var englishQuotes = strings.NewReplacer("« ", "\"", " »", "\"")

// fillNames are the placeholders a template may hold (see placeholders).
var fillNames = [...]string{"{answers}", "{exceptions}", "{to_verify}", "{possible}", "{contact}"}

// replacePlaceholders is strings.NewReplacer(fillNames[0], values[0],
// …).Replace(tmpl) without building a replacer at every verdict: no name
// is a prefix of another, so the first that matches at a "{" is the one.
func replacePlaceholders(tmpl string, values [len(fillNames)]string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	b.Grow(len(tmpl))
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		tmpl = tmpl[i:]
		matched := false
		for k, name := range fillNames {
			if strings.HasPrefix(tmpl, name) {
				b.WriteString(values[k])
				tmpl = tmpl[len(name):]
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte('{')
			tmpl = tmpl[1:]
		}
	}
}

// joinList joins "a, b et c" / "a, b and c".
func joinList(items []string, lang string) string {
	and := " et "
	if lang == "en" {
		and = " and "
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + and + items[len(items)-1]
}
