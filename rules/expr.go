package rules

import (
	"fmt"
	"strings"
	"unicode"
)

// ast is a parsed condition before names are resolved.
type ast struct {
	op   byte // 'i' identifier, '!' not, '&' and, '|' or
	name string
	col  int // 1-based column of an identifier, for error messages
	kids []*ast
}

// parseExpr reads a condition: identifiers joined by and/et, or/ou, not/non
// and parentheses. "and" binds tighter than "or".
func parseExpr(src string) (*ast, error) {
	p := &exprParser{src: src}
	p.next()
	if p.tok == "" {
		return nil, fmt.Errorf("condition vide / empty condition")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok != "" {
		return nil, p.errorf("« %s » inattendu / unexpected %q", p.tok, p.tok)
	}
	return e, nil
}

type exprParser struct {
	src string
	pos int
	tok string
	col int
}

func isIdentRune(r rune) bool {
	return r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func (p *exprParser) next() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
	p.col = p.pos + 1
	if p.pos >= len(p.src) {
		p.tok = ""
		return
	}
	if c := p.src[p.pos]; c == '(' || c == ')' {
		p.tok = string(c)
		p.pos++
		return
	}
	start := p.pos
	for _, r := range p.src[p.pos:] {
		if !isIdentRune(r) {
			break
		}
		p.pos += len(string(r))
	}
	if p.pos == start { // a character that belongs to nothing
		p.pos++
	}
	p.tok = p.src[start:p.pos]
}

func (p *exprParser) is(words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(p.tok, w) {
			return true
		}
	}
	return false
}

func (p *exprParser) or() (*ast, error) {
	return p.chain('|', p.and, "or", "ou")
}

func (p *exprParser) and() (*ast, error) {
	return p.chain('&', p.unary, "and", "et")
}

func (p *exprParser) chain(op byte, sub func() (*ast, error), words ...string) (*ast, error) {
	first, err := sub()
	if err != nil {
		return nil, err
	}
	kids := []*ast{first}
	for p.is(words...) {
		p.next()
		k, err := sub()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &ast{op: op, kids: kids}, nil
}

func (p *exprParser) unary() (*ast, error) {
	switch {
	case p.tok == "":
		return nil, fmt.Errorf("condition incomplète / incomplete condition")
	case p.is("not", "non"):
		p.next()
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &ast{op: '!', kids: []*ast{k}}, nil
	case p.tok == "(":
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok != ")" {
			return nil, p.errorf("« ) » attendu / expected \")\"")
		}
		p.next()
		return e, nil
	case p.is("and", "et", "or", "ou", ")"):
		return nil, p.errorf("« %s » inattendu / unexpected %q", p.tok, p.tok)
	}
	for _, r := range p.tok {
		if !isIdentRune(r) {
			return nil, p.errorf("caractère « %s » non permis / character %q not allowed", p.tok, p.tok)
		}
	}
	e := &ast{op: 'i', name: p.tok, col: p.col}
	p.next()
	return e, nil
}

// Kleene values as bits, so that a set of possible values is a mask.
const (
	kF   uint8 = 1
	kT   uint8 = 2
	kU   uint8 = 4
	kAny       = kF | kT | kU
)

// Node operators.
const (
	opLit uint8 = iota
	opNot
	opAnd
	opOr
)

// andSet[a][b] and orSet[a][b] are the possible results of combining a value
// from set a with a value from set b; notSet swaps T and F.
var andSet, orSet [8][8]uint8
var notSet [8]uint8

func init() {
	and3 := func(a, b uint8) uint8 {
		switch {
		case a == kF || b == kF:
			return kF
		case a == kT && b == kT:
			return kT
		}
		return kU
	}
	or3 := func(a, b uint8) uint8 {
		switch {
		case a == kT || b == kT:
			return kT
		case a == kF && b == kF:
			return kF
		}
		return kU
	}
	for a := uint8(0); a < 8; a++ {
		var n uint8
		if a&kF != 0 {
			n |= kT
		}
		if a&kT != 0 {
			n |= kF
		}
		notSet[a] = n | a&kU
		for b := uint8(0); b < 8; b++ {
			for x := uint8(1); x < 8; x <<= 1 {
				for y := uint8(1); y < 8; y <<= 1 {
					if a&x != 0 && b&y != 0 {
						andSet[a][b] |= and3(x, y)
						orSet[a][b] |= or3(x, y)
					}
				}
			}
		}
	}
}

// cnode is one node of a compiled condition. Nodes are stored in post-order
// (children before their parent, root last), so one forward pass evaluates
// and one backward pass propagates from the root.
type cnode struct {
	op    uint8
	fact  int16 // opLit
	start int16 // first child in cond.kids
	n     int16 // number of children
}

// cond is a condition compiled against a rule set's facts, definitions and
// exceptions inlined. Each fact occurs at most once (read-once), which makes
// the three-valued reasoning below exact.
type cond struct {
	nodes []cnode
	kids  []int16
	facts []int // facts it mentions, in declaration order
}

// compile flattens a resolved ast into post-order nodes.
func (c *cond) add(e *resolved) int16 {
	switch e.op {
	case opLit:
		c.nodes = append(c.nodes, cnode{op: opLit, fact: int16(e.fact)})
	default:
		idx := make([]int16, 0, len(e.kids))
		for _, k := range e.kids {
			// flatten a and (b and c) into one node: fewer nodes to visit
			if k.op == e.op && e.op != opNot {
				for _, kk := range k.kids {
					idx = append(idx, c.add(kk))
				}
				continue
			}
			idx = append(idx, c.add(k))
		}
		start := int16(len(c.kids))
		c.kids = append(c.kids, idx...)
		c.nodes = append(c.nodes, cnode{op: e.op, start: start, n: int16(len(idx))})
	}
	return int16(len(c.nodes) - 1)
}

// resolved is an ast whose identifiers are fact indices.
type resolved struct {
	op   uint8
	fact int
	kids []*resolved
}

// reach computes, for every node, the set of Kleene values it can still take
// when unanswered facts may become yes, no or unknown. An unknown answer is
// final (U), unless unknownOpen treats it as not asked yet. out must hold
// len(c.nodes) entries; the root's set is returned.
func (c *cond) reach(st []state, unknownOpen bool, out []uint8) uint8 {
	for i, nd := range c.nodes {
		var m uint8
		switch nd.op {
		case opLit:
			switch st[nd.fact] {
			case sYes:
				m = kT
			case sNo:
				m = kF
			case sUnknown:
				m = kU
				if unknownOpen {
					m = kAny
				}
			default:
				m = kAny
			}
		case opNot:
			m = notSet[out[c.kids[nd.start]]]
		case opAnd:
			m = kT
			for _, k := range c.kids[nd.start : nd.start+nd.n] {
				m = andSet[m][out[k]]
			}
		case opOr:
			m = kF
			for _, k := range c.kids[nd.start : nd.start+nd.n] {
				m = orSet[m][out[k]]
			}
		}
		out[i] = m
	}
	return out[len(c.nodes)-1]
}

// Sensitivity modes: a node in modeT can flip the root between true and not
// true; in modeF it can flip itself between false and not false with the
// same effect on the root.
const (
	modeNone uint8 = iota
	modeT
	modeF
)

// sensitive marks the facts whose value can still change whether the
// condition is true, given the reach sets computed by reach. It walks from
// the root: a child keeps the ability to flip its parent only if its
// siblings can all take non-controlling values. Facts are independent
// because each occurs once. visit is called for each sensitive leaf.
func (c *cond) sensitive(sets, modes []uint8, visit func(fact int)) {
	last := len(c.nodes) - 1
	for i := range modes[:len(c.nodes)] {
		modes[i] = modeNone
	}
	modes[last] = modeT
	for i := last; i >= 0; i-- {
		nd, mode := c.nodes[i], modes[i]
		if mode == modeNone {
			continue
		}
		switch nd.op {
		case opLit:
			visit(int(nd.fact))
		case opNot:
			modes[c.kids[nd.start]] = modeT + modeF - mode
		case opAnd, opOr:
			// need: what every sibling must be able to be for this child
			// to decide the parent's value.
			var need uint8
			switch {
			case nd.op == opAnd && mode == modeT:
				need = kT // all others true
			case nd.op == opAnd: // modeF
				need = kT | kU // others not false
			case mode == modeT: // or
				need = kF | kU // others not true
			default: // or, modeF
				need = kF // all others false
			}
			kids := c.kids[nd.start : nd.start+nd.n]
			blocked := 0
			for _, k := range kids {
				if sets[k]&need == 0 {
					blocked++
				}
			}
			for _, k := range kids {
				own := 0
				if sets[k]&need == 0 {
					own = 1
				}
				if blocked-own == 0 {
					modes[k] = mode
				}
			}
		}
	}
}

// evalBool evaluates the condition on a full yes/no assignment (bit i of
// bits is fact i), for the load-time checks.
func (c *cond) evalBool(bits uint64, out []bool) bool {
	for i, nd := range c.nodes {
		var v bool
		switch nd.op {
		case opLit:
			v = bits>>uint(nd.fact)&1 == 1
		case opNot:
			v = !out[c.kids[nd.start]]
		case opAnd:
			v = true
			for _, k := range c.kids[nd.start : nd.start+nd.n] {
				if !out[k] {
					v = false
					break
				}
			}
		case opOr:
			for _, k := range c.kids[nd.start : nd.start+nd.n] {
				if out[k] {
					v = true
					break
				}
			}
		}
		out[i] = v
	}
	return out[len(c.nodes)-1]
}

// support lists the answered facts that make node i take value want (kT or
// kF), given the reach sets: for "and" true (or "or" false) every child, for
// "and" false (or "or" true) the first child that settles it.
func (c *cond) support(i int, want uint8, sets []uint8, add func(fact int)) {
	nd := c.nodes[i]
	switch nd.op {
	case opLit:
		add(int(nd.fact))
	case opNot:
		c.support(int(c.kids[nd.start]), (kT|kF)^want, sets, add)
	default:
		kids := c.kids[nd.start : nd.start+nd.n]
		all := (nd.op == opAnd) == (want == kT)
		for _, k := range kids {
			if all {
				c.support(int(k), want, sets, add)
			} else if sets[k] == want {
				c.support(int(k), want, sets, add)
				return
			}
		}
	}
}

func (c *cond) String() string {
	return fmt.Sprintf("cond(%d nodes)", len(c.nodes))
}

// exprError is a condition's syntax error at a column of its text.
type exprError struct {
	Col int // 1-based byte offset in the condition's text
	Msg string
}

func (e *exprError) Error() string {
	return fmt.Sprintf("colonne %d : %s / column %d", e.Col, e.Msg, e.Col)
}

func (p *exprParser) errorf(format string, args ...any) error {
	return &exprError{Col: p.col, Msg: fmt.Sprintf(format, args...)}
}
