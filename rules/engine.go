package rules

import (
	"slices"
	"strings"
	"time"
)

// RuleSet is a loaded, validated set of rules. It is immutable and safe for
// concurrent use.
type RuleSet struct {
	Version    string
	SourceDate time.Time
	Document   string // the source document's title
	Contact    string // e-mail for questions the rules cannot settle
	// Digest identifies the files the set was loaded from (names and
	// bytes): a dialog records it, to finish on the rules it started with.
	Digest string

	facts      []*Fact
	factIdx    map[string]int
	exceptions []*exception
	excIdx     map[string]int
	verdicts   []*verdict // with a condition, in declaration order
	fallback   *verdict   // reached when an unknown answer blocks the verdict
	verdictIdx map[string]*verdict
	scenarios  []Scenario
	maxNodes   int
	cited      []string // CitedEntries, asked at every answer
}

// Fact is one question of the dialog.
type Fact struct {
	Name     string
	File     string // where it is declared
	Line     int
	label    text
	question text
	why      text
	cites    []string
	idx      int
}

// Question is the question to ask, in "fr" or "en".
func (f *Fact) Question(lang string) string { return f.question.in(lang) }

// Why says why the question matters, citing the FAQ.
func (f *Fact) Why(lang string) string { return f.why.in(lang) }

// Label is a short noun phrase for the fact, used in explanations.
func (f *Fact) Label(lang string) string { return f.label.in(lang) }

// Cites returns the FAQ entry ids the question rests on.
func (f *Fact) Cites() []string { return slices.Clone(f.cites) }

type exception struct {
	name  string
	label text
	cites []string
	when  *cond
	src   exprSrc
	file  string
	line  int
}

type verdict struct {
	code        string
	title       text
	explanation text
	conclusion  text   // one sentence; empty: the title stands alone
	tone        string // positive, negative or neutral ("" = neutral)
	contact     bool   // the MCN's contact helps after this verdict
	cites       []string
	when        *cond
	exceptions  []int // exceptions its condition mentions
	file        string
	line        int
	whenLine    int
}

// Outcome is what the engine concludes from the facts so far: either a
// verdict or the next fact to ask.
type Outcome struct {
	Verdict    string   // verdict code; "" while undecided
	Exceptions []string // exceptions proven to apply (verdict "exception")
	Next       string   // fact to ask next; "" when decided
	Citations  []string // FAQ entry ids the verdict (or the next question) rests on
	ToVerify   []string // facts whose "unknown" answer blocks the verdict (fallback verdict)
	Possible   []string // verdicts still reachable; for the fallback, those the facts to verify could lead to
	// Remaining counts the unasked facts, Next included, that can still
	// change the verdict: no dialog from here asks more questions.
	Remaining int
}

// Decided reports whether the outcome holds a verdict.
func (o Outcome) Decided() bool { return o.Verdict != "" }

// Fact returns a fact by name.
func (rs *RuleSet) Fact(name string) (*Fact, bool) {
	i, ok := rs.factIdx[name]
	if !ok {
		return nil, false
	}
	return rs.facts[i], true
}

// FactNames lists the facts in question order.
func (rs *RuleSet) FactNames() []string {
	out := make([]string, len(rs.facts))
	for i, f := range rs.facts {
		out[i] = f.Name
	}
	return out
}

// VerdictCodes lists every verdict code, the fallback last.
func (rs *RuleSet) VerdictCodes() []string {
	var out []string
	for _, v := range rs.verdicts {
		out = append(out, v.code)
	}
	if rs.fallback != nil {
		out = append(out, rs.fallback.code)
	}
	return out
}

// ExceptionNames lists the exceptions in declaration order.
func (rs *RuleSet) ExceptionNames() []string {
	out := make([]string, len(rs.exceptions))
	for i, e := range rs.exceptions {
		out[i] = e.name
	}
	return out
}

// FallbackVerdict is the code given when an unknown answer blocks the verdict.
func (rs *RuleSet) FallbackVerdict() string { return rs.fallback.code }

// CitedEntries lists every FAQ entry id the rules cite, sorted, so that a
// caller holding the FAQ can check they all exist.
func (rs *RuleSet) CitedEntries() []string { return slices.Clone(rs.cited) }

// Cites reports whether the rules cite FAQ entry id, without copying the list.
func (rs *RuleSet) Cites(id string) bool {
	_, found := slices.BinarySearch(rs.cited, id)
	return found
}

func (rs *RuleSet) citedEntries() []string {
	var all []string
	for _, c := range rs.CitationSites() {
		all = append(all, c.EntryID)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// CitationSite is one citation of an FAQ entry by the fact, exception or
// verdict declared at File:Line.
type CitationSite struct {
	EntryID string
	File    string
	Line    int
}

// CitationSites lists every citation with where it is written, sorted by
// file and line, so that a caller holding the FAQ can report a missing
// entry where the rules cite it.
func (rs *RuleSet) CitationSites() []CitationSite {
	var out []CitationSite
	add := func(file string, line int, ids []string) {
		for _, id := range ids {
			out = append(out, CitationSite{EntryID: id, File: file, Line: line})
		}
	}
	for _, f := range rs.facts {
		add(f.File, f.Line, f.cites)
	}
	for _, e := range rs.exceptions {
		add(e.file, e.line, e.cites)
	}
	for _, v := range rs.verdictIdx {
		add(v.file, v.line, v.cites)
	}
	slices.SortStableFunc(out, func(a, b CitationSite) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.EntryID, b.EntryID)
	})
	return out
}

// Scenarios returns the scenarios kept beside the rules.
func (rs *RuleSet) Scenarios() []Scenario { return slices.Clone(rs.scenarios) }

// state of a fact during evaluation. sOpen means not asked yet.
type state uint8

const (
	sOpen state = iota
	sYes
	sNo
	sUnknown
)

func (rs *RuleSet) states(f Facts) []state {
	st := make([]state, len(rs.facts))
	for name, v := range f {
		i, ok := rs.factIdx[name]
		if !ok {
			continue // Check reports unknown names; evaluation ignores them
		}
		switch v {
		case Yes:
			st[i] = sYes
		case No:
			st[i] = sNo
		case Unknown:
			st[i] = sUnknown
		}
	}
	return st
}

// Evaluate returns the verdict the facts settle, or the next fact to ask.
//
// Every verdict condition is evaluated in three-valued logic over the set of
// values it can still take (facts not asked yet may become yes, no or
// unknown). A verdict is settled when its condition is certainly true. A fact
// is asked only if it can still flip some verdict's condition between true
// and not true, which is exact because conditions are read-once; among
// those, the first in declaration order is asked. When no unasked fact can
// make any verdict true, unknown answers stand in the way: the fallback
// verdict names the facts to verify.
func (rs *RuleSet) Evaluate(f Facts) Outcome {
	return rs.evaluate(rs.states(f))
}

func (rs *RuleSet) evaluate(st []state) Outcome {
	sets := make([]uint8, 2*rs.maxNodes)
	sets, modes := sets[:rs.maxNodes], sets[rs.maxNodes:]
	var o Outcome
	for _, v := range rs.verdicts {
		if v.when.reach(st, false, sets) != kT {
			continue
		}
		o.Verdict = v.code
		o.Citations = append(o.Citations, v.cites...)
		for _, i := range v.exceptions {
			e := rs.exceptions[i]
			if e.when.reach(st, false, sets) == kT {
				o.Exceptions = append(o.Exceptions, e.name)
				o.Citations = append(o.Citations, e.cites...)
			}
		}
		if len(v.cites) == 0 {
			for _, fi := range rs.supportOf(v, st) {
				o.Citations = append(o.Citations, rs.facts[fi].cites...)
			}
		}
		o.Citations = dedupe(o.Citations)
		return o
	}
	// Undecided: which unasked facts can still change a verdict?
	// Sensitivity is exact for read-once conditions, so a fact that cannot
	// change any verdict now never will: the open ones bound what is left.
	const mBlocking, mOpen = 1, 2
	next := len(rs.facts)
	marks := make([]uint8, len(rs.facts))
	for _, v := range rs.verdicts {
		root := v.when.reach(st, false, sets)
		if root&kT != 0 {
			o.Possible = append(o.Possible, v.code)
		}
		v.when.sensitive(sets, modes, func(fi int) {
			switch st[fi] {
			case sOpen:
				next = min(next, fi)
				if marks[fi]&mOpen == 0 {
					marks[fi] |= mOpen
					o.Remaining++
				}
			case sUnknown:
				marks[fi] |= mBlocking
			}
		})
	}
	if next < len(rs.facts) {
		f := rs.facts[next]
		o.Next = f.Name
		o.Citations = slices.Clone(f.cites)
		return o
	}
	// Stuck: only unknown answers could still change the outcome.
	o.Verdict = rs.fallback.code
	o.Possible = o.Possible[:0]
	for _, v := range rs.verdicts {
		if v.when.reach(st, true, sets)&kT != 0 {
			o.Possible = append(o.Possible, v.code)
		}
	}
	o.Remaining = 0
	for fi, m := range marks {
		if m&mBlocking != 0 {
			o.ToVerify = append(o.ToVerify, rs.facts[fi].Name)
			o.Citations = append(o.Citations, rs.facts[fi].cites...)
		}
	}
	o.Citations = dedupe(append(slices.Clone(rs.fallback.cites), o.Citations...))
	return o
}

// supportOf lists, in question order, the answered facts that make the
// verdict's condition true.
func (rs *RuleSet) supportOf(v *verdict, st []state) []int {
	sets := make([]uint8, len(v.when.nodes))
	if v.when.reach(st, false, sets) != kT {
		return nil
	}
	var out []int
	v.when.support(len(v.when.nodes)-1, kT, sets, func(fi int) { out = append(out, fi) })
	slices.Sort(out)
	return slices.Compact(out)
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Check returns the problems of facts given by a caller: an unknown fact
// name or a value other than yes, no or unknown.
func (rs *RuleSet) Check(f Facts) []string {
	var out []string
	for _, name := range sortedKeys(f) {
		if _, ok := rs.factIdx[name]; !ok {
			out = append(out, "unknown fact "+name)
		} else if !f[name].Valid() {
			out = append(out, "bad value "+name+"="+string(f[name]))
		}
	}
	return out
}

func sortedKeys(f Facts) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Play runs the dialog one question at a time, answering each asked fact
// from answers, or "unknown" when answers does not hold it, until a verdict.
// It returns the final outcome and the facts asked, in order.
func (rs *RuleSet) Play(answers Facts) (Outcome, []string) {
	st := make([]state, len(rs.facts))
	given := rs.states(answers)
	var asked []string
	for range len(rs.facts) + 1 {
		o := rs.evaluate(st)
		if o.Decided() {
			return o, asked
		}
		i := rs.factIdx[o.Next]
		asked = append(asked, o.Next)
		st[i] = given[i]
		if st[i] == sOpen {
			st[i] = sUnknown
		}
	}
	panic("rules: dialog did not end") // each step answers a new fact
}

// Scenario is a story with its facts and the expected verdict.
type Scenario struct {
	Story      string
	Facts      Facts
	Verdict    string
	Exceptions []string
	File       string
	Line       int
}

// Check compares an outcome with the scenario. A dialog may stop at the
// first exception that applies: a non-empty subset of the expected
// exceptions is right. It returns "" when right, else what differs.
func (s Scenario) Check(o Outcome) string {
	okExc := len(s.Exceptions) == 0 && len(o.Exceptions) == 0
	if len(s.Exceptions) > 0 && len(o.Exceptions) > 0 {
		okExc = true
		for _, e := range o.Exceptions {
			okExc = okExc && slices.Contains(s.Exceptions, e)
		}
	}
	if o.Verdict == s.Verdict && okExc {
		return ""
	}
	return "attendu / want " + s.Verdict + " " + fmtList(s.Exceptions) + ", obtenu / got " + o.Verdict + " " + fmtList(o.Exceptions)
}

func fmtList(s []string) string {
	if len(s) == 0 {
		return "[]"
	}
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
