package rules

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"
	yast "github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/qc-ia/conformbot/internal/yamlhint"
)

//go:embed data/*.yaml
var embedded embed.FS

// EmbeddedDir is how the embedded default set is named in error messages.
const EmbeddedDir = "rules/data"

var defaultSet = sync.OnceValues(func() (*RuleSet, error) {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub, EmbeddedDir)
})

// Default returns the rule set shipped with the binary. It is loaded and
// validated once; the result is shared and must not be modified.
func Default() (*RuleSet, error) { return defaultSet() }

// LoadDir loads and validates every *.yaml file of dir (RULES_DIR): it
// replaces the embedded set. The error is a *ValidationError listing every
// problem as file:line.
func LoadDir(dir string) (*RuleSet, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("dossier de règles illisible / cannot read rules directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("« %s » n'est pas un dossier / is not a directory", dir)
	}
	return LoadFS(os.DirFS(dir), dir)
}

// Problem is one validation error, located in a rules file.
type Problem struct {
	File string
	Line int
	Col  int // 1-based, in characters; 0 when only the line is known
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 && p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// ValidationError lists every problem found while loading rules.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Problems returns the located problems of a loading error: those of a
// *ValidationError, or the error itself as a single problem.
func Problems(err error) []string {
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		out := make([]string, len(ve.Problems))
		for i, p := range ve.Problems {
			out[i] = p.String()
		}
		return out
	}
	return []string{err.Error()}
}

// Source schema. Every struct is decoded with unknown fields refused.

type text struct {
	FR string `yaml:"fr"`
	EN string `yaml:"en"`
}

func (t text) in(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.FR
}

// located decodes a T and remembers the line it starts on.
type located[T any] struct {
	Line int
	V    T
}

func (l *located[T]) UnmarshalYAML(n yast.Node) error {
	l.Line = n.GetToken().Position.Line
	return yaml.NodeToValue(n, &l.V, yaml.DisallowUnknownField())
}

// exprSrc is a condition with where it is written: the line and column
// of its value (of the | or > of a block scalar).
type exprSrc struct {
	Text   string
	Line   int
	Col    int
	Block  bool // a | or > block: the text starts on the next line
	Quoted bool
}

func (e *exprSrc) UnmarshalYAML(n yast.Node) error {
	tk := n.GetToken()
	e.Line, e.Col = tk.Position.Line, tk.Position.Column
	_, e.Block = n.(*yast.LiteralNode)
	e.Quoted = tk.Type == token.DoubleQuoteType || tk.Type == token.SingleQuoteType
	return yaml.NodeToValue(n, &e.Text)
}

type metaSrc struct {
	Version    string `yaml:"version"`
	Document   string `yaml:"document"`
	SourceDate string `yaml:"source_date"`
	Contact    string `yaml:"contact"`
}

type factSrc struct {
	Name     string   `yaml:"name"`
	Label    text     `yaml:"label"`
	Question text     `yaml:"question"`
	Why      text     `yaml:"why"`
	Cites    []string `yaml:"cites"`
}

type exceptionSrc struct {
	Name  string   `yaml:"name"`
	Label text     `yaml:"label"`
	When  exprSrc  `yaml:"when"`
	Cites []string `yaml:"cites"`
}

type definitionSrc struct {
	Name string  `yaml:"name"`
	When exprSrc `yaml:"when"`
}

type verdictSrc struct {
	Code        string   `yaml:"code"`
	When        exprSrc  `yaml:"when"`
	Fallback    bool     `yaml:"fallback"`
	Title       text     `yaml:"title"`
	Explanation text     `yaml:"explanation"`
	Conclusion  text     `yaml:"conclusion"`
	Tone        string   `yaml:"tone"`
	Contact     bool     `yaml:"contact"`
	Cites       []string `yaml:"cites"`
}

type scenarioSrc struct {
	Story      string            `yaml:"story"`
	Facts      map[string]string `yaml:"facts"`
	Verdict    string            `yaml:"verdict"`
	Exceptions []string          `yaml:"exceptions"`
}

type fileSrc struct {
	RuleSet     *located[metaSrc]        `yaml:"rule_set"`
	Facts       []located[factSrc]       `yaml:"facts"`
	Exceptions  []located[exceptionSrc]  `yaml:"exceptions"`
	Definitions []located[definitionSrc] `yaml:"definitions"`
	Verdicts    []located[verdictSrc]    `yaml:"verdicts"`
	Scenarios   []located[scenarioSrc]   `yaml:"scenarios"`
}

var (
	factNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	codeRe     = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	placeRe    = regexp.MustCompile(`\{[^{}]*\}`)
)

// Placeholders allowed in explanation templates.
// tones are how a verdict reads for the person: surfaces pick a mark and a
// colour from it, never the colour alone.
var tones = map[string]bool{"": true, "positive": true, "negative": true, "neutral": true}

var placeholders = map[string]bool{
	"{answers}": true, "{exceptions}": true, "{to_verify}": true, "{possible}": true, "{contact}": true,
}

// maxEnumFacts bounds the exhaustive load-time checks (2^n assignments).
const maxEnumFacts = 22

type loader struct {
	rs       *RuleSet
	problems []Problem
	defs     map[string]*located[definitionSrc]
	defFile  map[string]string
	sources  map[string][]string // each file's lines, to locate problems inside a value
}

func (l *loader) add(file string, line int, format string, args ...any) {
	l.addAt(file, line, 0, format, args...)
}

func (l *loader) addAt(file string, line, col int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// LoadFS loads every *.yaml / *.yml file at the root of fsys; name is used
// in messages (a directory path).
func LoadFS(fsys fs.FS, name string) (*RuleSet, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			files = append(files, e.Name())
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, &ValidationError{[]Problem{{File: name, Msg: "aucun fichier .yaml de règles / no rules .yaml file"}}}
	}
	l := &loader{
		rs: &RuleSet{
			factIdx:    map[string]int{},
			excIdx:     map[string]int{},
			verdictIdx: map[string]*verdict{},
		},
		defs:    map[string]*located[definitionSrc]{},
		defFile: map[string]string{},
		sources: map[string][]string{},
	}
	var srcs []fileSrc
	var names []string
	digest := sha256.New()
	for _, f := range files {
		display := path.Join(name, f)
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			l.add(display, 0, "lecture impossible / cannot read: %v", err)
			continue
		}
		fmt.Fprintf(digest, "%s\x00%d\x00", f, len(data))
		digest.Write(data)
		l.sources[display] = strings.Split(string(data), "\n")
		var src fileSrc
		if err := unmarshal(data, &src); err != nil {
			var ye yaml.Error
			line := 0
			msg := err.Error()
			if errors.As(err, &ye) {
				if tk := ye.GetToken(); tk != nil {
					line = tk.Position.Line
				}
				line, msg = yamlhint.Explain(data, line, ye.GetMessage())
			} else {
				msg = "YAML invalide / invalid YAML: " + msg
			}
			l.add(display, line, "%s", msg)
			continue
		}
		srcs = append(srcs, src)
		names = append(names, display)
	}
	if len(l.problems) > 0 {
		return nil, &ValidationError{l.problems}
	}
	l.build(srcs, names)
	if len(l.problems) > 0 {
		sort.SliceStable(l.problems, func(i, j int) bool {
			a, b := l.problems[i], l.problems[j]
			return a.File < b.File || a.File == b.File && a.Line < b.Line
		})
		return nil, &ValidationError{l.problems}
	}
	l.rs.Digest = hex.EncodeToString(digest.Sum(nil)[:8])
	l.rs.cited = l.rs.citedEntries()
	return l.rs, nil
}

func (l *loader) checkText(file string, line int, what string, t text) {
	if strings.TrimSpace(t.FR) == "" || strings.TrimSpace(t.EN) == "" {
		l.add(file, line, "%s : texte fr et en requis / %s: fr and en text required", what, what)
	}
}

func (l *loader) checkCites(file string, line int, cites []string) {
	for _, c := range cites {
		if !codeRe.MatchString(c) {
			l.add(file, line, "identifiant d'entrée de FAQ invalide « %s » / invalid FAQ entry id %q", c, c)
		}
	}
}

func (l *loader) build(srcs []fileSrc, files []string) {
	rs := l.rs
	metaSeen := false
	// Facts first: their order is the order of the questions.
	for i, src := range srcs {
		file := files[i]
		if m := src.RuleSet; m != nil {
			if metaSeen {
				l.add(file, m.Line, "rule_set déclaré deux fois / rule_set declared twice")
			}
			metaSeen = true
			rs.Version, rs.Document, rs.Contact = m.V.Version, m.V.Document, m.V.Contact
			if strings.TrimSpace(m.V.Version) == "" {
				l.add(file, m.Line, "rule_set.version requis / rule_set.version required")
			}
			d, err := time.Parse("2006-01-02", m.V.SourceDate)
			if err != nil {
				l.add(file, m.Line, "rule_set.source_date : date AAAA-MM-JJ attendue / expected a YYYY-MM-DD date, got %q", m.V.SourceDate)
			}
			rs.SourceDate = d
		}
		for _, f := range src.Facts {
			v := f.V
			switch {
			case !factNameRe.MatchString(v.Name):
				l.add(file, f.Line, "nom de fait invalide « %s » (minuscules, chiffres, _) / invalid fact name %q", v.Name, v.Name)
				continue
			case l.nameTaken(v.Name):
				l.add(file, f.Line, "nom « %s » déjà utilisé / name %q already used", v.Name, v.Name)
				continue
			}
			l.checkText(file, f.Line, "label", v.Label)
			l.checkText(file, f.Line, "question", v.Question)
			l.checkText(file, f.Line, "why", v.Why)
			if len(v.Cites) == 0 {
				l.add(file, f.Line, "fait « %s » : cites (entrées de FAQ) requis / fact %q: cites (FAQ entries) required", v.Name, v.Name)
			}
			l.checkCites(file, f.Line, v.Cites)
			rs.factIdx[v.Name] = len(rs.facts)
			rs.facts = append(rs.facts, &Fact{Name: v.Name, label: v.Label, question: v.Question, why: v.Why,
				cites: v.Cites, idx: len(rs.facts), File: file, Line: f.Line})
		}
	}
	if !metaSeen {
		l.add(files[0], 0, "section rule_set (version, source_date) manquante / missing rule_set section")
	}
	if len(rs.facts) == 0 {
		l.add(files[0], 0, "aucun fait déclaré / no facts declared")
		return
	}
	if len(rs.facts) > 64 {
		l.add(files[0], 0, "au plus 64 faits / at most 64 facts")
		return
	}
	// Names of exceptions and definitions, before any condition refers to them.
	for i, src := range srcs {
		for j := range src.Exceptions {
			e := &src.Exceptions[j]
			if !codeRe.MatchString(e.V.Name) || l.nameTaken(e.V.Name) {
				l.add(files[i], e.Line, "nom d'exception invalide ou déjà utilisé « %s » / invalid or duplicate exception name %q", e.V.Name, e.V.Name)
				continue
			}
			rs.excIdx[e.V.Name] = len(rs.exceptions)
			rs.exceptions = append(rs.exceptions, &exception{name: e.V.Name, label: e.V.Label, cites: e.V.Cites,
				file: files[i], line: e.Line, src: e.V.When})
			l.checkText(files[i], e.Line, "label", e.V.Label)
			l.checkCites(files[i], e.Line, e.V.Cites)
		}
		for j := range src.Definitions {
			d := &src.Definitions[j]
			if !codeRe.MatchString(strings.ReplaceAll(d.V.Name, "_", "-")) || l.nameTaken(d.V.Name) {
				l.add(files[i], d.Line, "nom de définition invalide ou déjà utilisé « %s » / invalid or duplicate definition name %q", d.V.Name, d.V.Name)
				continue
			}
			l.defs[d.V.Name] = d
			l.defFile[d.V.Name] = files[i]
		}
	}
	for _, e := range rs.exceptions {
		c, _, ok := l.compile(e.file, e.line, e.src, e.name)
		if ok {
			e.when = c
		}
	}
	// Definitions are checked even when no verdict uses them.
	for name, d := range l.defs {
		l.compile(l.defFile[name], d.Line, d.V.When, name)
	}
	for i, src := range srcs {
		file := files[i]
		for _, vs := range src.Verdicts {
			v := vs.V
			if !codeRe.MatchString(v.Code) || rs.verdictIdx[v.Code] != nil {
				l.add(file, vs.Line, "code de verdict invalide ou en double « %s » / invalid or duplicate verdict code %q", v.Code, v.Code)
				continue
			}
			vd := &verdict{code: v.Code, title: v.Title, explanation: v.Explanation, conclusion: v.Conclusion,
				tone: v.Tone, contact: v.Contact, cites: v.Cites, file: file, line: vs.Line}
			l.checkText(file, vs.Line, "title", v.Title)
			l.checkText(file, vs.Line, "explanation", v.Explanation)
			if v.Conclusion.FR != "" || v.Conclusion.EN != "" {
				l.checkText(file, vs.Line, "conclusion", v.Conclusion)
			}
			if !tones[v.Tone] {
				l.add(file, vs.Line, "tone « %s » inconnu (permis : positive, negative, neutral) / unknown tone %q (allowed: positive, negative, neutral)", v.Tone, v.Tone)
			}
			l.checkCites(file, vs.Line, v.Cites)
			for _, s := range []string{v.Explanation.FR, v.Explanation.EN, v.Conclusion.FR, v.Conclusion.EN} {
				for _, p := range placeRe.FindAllString(s, -1) {
					if !placeholders[p] {
						l.add(file, vs.Line, "gabarit : %s inconnu (permis : {answers} {exceptions} {to_verify} {possible} {contact}) / template: unknown %s", p, p)
					}
				}
			}
			rs.verdictIdx[v.Code] = vd
			if v.Fallback {
				if v.When.Text != "" {
					l.add(file, v.When.Line, "verdict de repli « %s » : pas de condition when / fallback verdict %q takes no when", v.Code, v.Code)
				}
				if rs.fallback != nil {
					l.add(file, vs.Line, "un seul verdict de repli (fallback) permis / only one fallback verdict allowed")
				}
				rs.fallback = vd
				continue
			}
			if v.When.Text == "" {
				l.add(file, vs.Line, "verdict « %s » : condition when requise / verdict %q: when required", v.Code, v.Code)
				continue
			}
			c, excs, ok := l.compile(file, v.When.Line, v.When, "")
			if !ok {
				continue
			}
			vd.when, vd.exceptions, vd.whenLine = c, excs, v.When.Line
			rs.verdicts = append(rs.verdicts, vd)
		}
	}
	if rs.fallback == nil {
		l.add(files[0], 0, "verdict de repli (fallback: true) manquant, utilisé quand « je ne sais pas » empêche de conclure / missing fallback verdict, used when an unknown answer blocks the verdict")
	}
	// Scenarios naming what does not exist are reported in this run too;
	// they are played only on rules without problems.
	var good []Scenario
	for i, src := range srcs {
		for _, s := range src.Scenarios {
			if sc, ok := l.scenarioNames(files[i], s); ok {
				good = append(good, sc)
			}
		}
	}
	if len(rs.verdicts) == 0 || len(l.problems) > 0 {
		return
	}
	for _, vd := range rs.verdicts {
		if n := len(vd.when.nodes); n > rs.maxNodes {
			rs.maxNodes = n
		}
	}
	for _, e := range rs.exceptions {
		if e.when != nil && len(e.when.nodes) > rs.maxNodes {
			rs.maxNodes = len(e.when.nodes)
		}
	}
	l.checkLogic()
	if len(l.problems) > 0 {
		return
	}
	for _, sc := range good {
		l.playScenario(sc)
	}
}

func (l *loader) nameTaken(n string) bool {
	_, f := l.rs.factIdx[n]
	_, e := l.rs.excIdx[n]
	_, d := l.defs[n]
	return f || e || d
}

// compile parses and resolves a condition: facts stay leaves, exceptions and
// definitions are inlined. It reports unknown names, cycles and facts used
// twice, and returns the exceptions the condition mentions.
func (l *loader) compile(file string, itemLine int, src exprSrc, self string) (*cond, []int, bool) {
	line := src.Line
	if line == 0 {
		line = itemLine
	}
	e, err := parseExpr(src.Text)
	if err != nil {
		var xe *exprError
		if errors.As(err, &xe) {
			ln, col := l.position(file, src, xe.Col, "")
			l.addAt(file, ln, col, "condition « %s » : %s", oneLine(src.Text), xe.Msg)
		} else {
			l.add(file, line, "condition « %s » : %v", oneLine(src.Text), err)
		}
		return nil, nil, false
	}
	ok := true
	var excs []int
	stack := map[string]bool{self: self != ""}
	// depth > 0 inside an inlined exception or definition: its own
	// problems are reported once, where it is written.
	depth := 0
	var resolve func(a *ast) *resolved
	resolve = func(a *ast) *resolved {
		switch a.op {
		case '!', '&', '|':
			r := &resolved{op: map[byte]uint8{'!': opNot, '&': opAnd, '|': opOr}[a.op]}
			for _, k := range a.kids {
				rk := resolve(k)
				if rk == nil {
					return nil
				}
				r.kids = append(r.kids, rk)
			}
			return r
		}
		if i, isFact := l.rs.factIdx[a.name]; isFact {
			return &resolved{op: opLit, fact: i}
		}
		if stack[a.name] {
			if depth <= 1 {
				l.add(file, line, "condition circulaire par « %s » / circular condition through %q", a.name, a.name)
			}
			ok = false
			return nil
		}
		var sub exprSrc
		if i, isExc := l.rs.excIdx[a.name]; isExc {
			excs = append(excs, i)
			sub = l.rs.exceptions[i].src
		} else if d, isDef := l.defs[a.name]; isDef {
			sub = d.V.When
		} else {
			ok = false
			if depth > 0 {
				return nil
			}
			msg := fmt.Sprintf("condition : nom inconnu « %s » / unknown name %q: ni fait, ni exception, ni définition / not a fact, exception or definition", a.name, a.name)
			if s := l.closest(a.name); s != "" {
				msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ? / did you mean %q?", s, s)
			}
			ln, col := l.position(file, src, a.col, a.name)
			if ln == 0 {
				ln = line
			}
			l.addAt(file, ln, col, "%s", msg)
			return nil
		}
		se, err := parseExpr(sub.Text)
		if err != nil {
			ok = false // reported where it is defined
			return nil
		}
		stack[a.name] = true
		depth++
		r := resolve(se)
		depth--
		delete(stack, a.name)
		return r
	}
	r := resolve(e)
	if r == nil || !ok {
		return nil, nil, false
	}
	seen := map[int]int{}
	var count func(r *resolved)
	count = func(r *resolved) {
		if r.op == opLit {
			seen[r.fact]++
		}
		for _, k := range r.kids {
			count(k)
		}
	}
	count(r)
	c := &cond{}
	for i := range l.rs.facts {
		if n := seen[i]; n > 1 {
			l.add(file, line, "le fait « %s » apparaît %d fois dans cette condition (définitions développées) ; chaque fait doit n'y apparaître qu'une fois / fact %q occurs %d times in this condition (definitions expanded); each fact may occur once", l.rs.facts[i].Name, n, l.rs.facts[i].Name, n)
			ok = false
		} else if n == 1 {
			c.facts = append(c.facts, i)
		}
	}
	if !ok {
		return nil, nil, false
	}
	c.add(r)
	return c, excs, true
}

// closestOf is the name of names nearest to a misspelt one, "" if none is near.
func closestOf(name string, names []string) string {
	best, bestD := "", 4
	for _, n := range names {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// closest suggests the known name nearest to a misspelt one.
func (l *loader) closest(name string) string {
	best, bestD := "", 4
	try := func(n string) {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	for _, f := range l.rs.facts {
		try(f.Name)
	}
	for _, e := range l.rs.exceptions {
		try(e.name)
	}
	for n := range l.defs {
		try(n)
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// checkLogic enumerates every yes/no combination of the facts: each must
// reach exactly one verdict, every verdict must be reached, every fact must
// matter somewhere.
func (l *loader) checkLogic() {
	rs := l.rs
	for _, f := range rs.facts {
		used := false
		for _, v := range rs.verdicts {
			for _, i := range v.when.facts {
				used = used || i == f.idx
			}
		}
		if !used {
			l.add(f.File, f.Line, "le fait « %s » n'apparaît dans aucune condition de verdict : il ne serait jamais demandé / fact %q is in no verdict condition: it would never be asked", f.Name, f.Name)
		}
	}
	n := len(rs.facts)
	if n > maxEnumFacts {
		return // too many facts to enumerate; the scenarios still run
	}
	buf := make([]bool, rs.maxNodes)
	reached := make([]bool, len(rs.verdicts))
	type pair struct{ a, b int }
	overlap := map[pair]bool{}
	gapReported := false
	for bits := uint64(0); bits < 1<<uint(n); bits++ {
		first := -1
		count := 0
		for i, v := range rs.verdicts {
			if !v.when.evalBool(bits, buf) {
				continue
			}
			count++
			if first < 0 {
				first = i
				continue
			}
			if p := (pair{first, i}); !overlap[p] {
				overlap[p] = true
				a, b := rs.verdicts[first], rs.verdicts[i]
				l.add(b.file, b.whenLine, "les verdicts « %s » et « %s » s'appliquent tous deux quand %s / verdicts %q and %q both apply",
					a.code, b.code, rs.describeBits(bits), a.code, b.code)
			}
		}
		if count == 1 {
			reached[first] = true // a verdict counts as reached only where it alone applies
		}
		if first < 0 && !gapReported {
			gapReported = true
			l.add(rs.verdicts[0].file, 0, "aucun verdict ne s'applique quand %s / no verdict applies to this combination", rs.describeBits(bits))
		}
	}
	for i, v := range rs.verdicts {
		if !reached[i] {
			l.add(v.file, v.whenLine, "verdict « %s » inatteignable : aucune combinaison de réponses n'y mène sans mener aussi à un autre verdict / verdict %q is unreachable: no combination of answers leads to it alone", v.code, v.code)
		}
	}
}

func (rs *RuleSet) describeBits(bits uint64) string {
	parts := make([]string, len(rs.facts))
	for i, f := range rs.facts {
		v := No
		if bits>>uint(i)&1 == 1 {
			v = Yes
		}
		parts[i] = f.Name + "=" + string(v)
	}
	return strings.Join(parts, " ")
}

// scenarioNames checks that one scenario names known facts, values,
// verdict and exceptions.
func (l *loader) scenarioNames(file string, s located[scenarioSrc]) (Scenario, bool) {
	rs := l.rs
	sc := Scenario{Story: s.V.Story, Facts: Facts{}, Verdict: s.V.Verdict, Exceptions: s.V.Exceptions, File: file, Line: s.Line}
	bad := false
	names := make([]string, 0, len(s.V.Facts))
	for k := range s.V.Facts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := Value(s.V.Facts[k])
		if _, ok := rs.factIdx[k]; !ok {
			msg := fmt.Sprintf("scénario : fait inconnu « %s » / scenario: unknown fact %q", k, k)
			if near := closestOf(k, rs.FactNames()); near != "" {
				msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ? / did you mean %q?", near, near)
			}
			ln, col := l.findWord(file, s.Line, k)
			l.addAt(file, ln, col, "%s", msg)
			bad = true
		}
		if !v.Valid() {
			l.add(file, s.Line, "scénario : %s=%q, valeur permise yes, no ou unknown / scenario: %s=%q, allowed yes, no or unknown", k, v, k, v)
			bad = true
		}
		sc.Facts[k] = v
	}
	if rs.verdictIdx[sc.Verdict] == nil {
		l.add(file, s.Line, "scénario : verdict inconnu « %s » (permis : %s) / scenario: unknown verdict %q", sc.Verdict, strings.Join(rs.VerdictCodes(), ", "), sc.Verdict)
		bad = true
	}
	for _, e := range sc.Exceptions {
		if _, ok := rs.excIdx[e]; !ok {
			msg := fmt.Sprintf("scénario : exception inconnue « %s » / scenario: unknown exception %q", e, e)
			if near := closestOf(e, rs.ExceptionNames()); near != "" {
				msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ? / did you mean %q?", near, near)
			}
			ln, col := l.findWord(file, s.Line, e)
			l.addAt(file, ln, col, "%s", msg)
			bad = true
		}
	}
	return sc, !bad
}

// playScenario plays one scenario through the engine, one question at a
// time, as the evaluation does.
func (l *loader) playScenario(sc Scenario) {
	rs := l.rs
	out, asked := rs.Play(sc.Facts)
	if msg := sc.Check(out); msg != "" {
		l.add(sc.File, sc.Line, "scénario en échec / failing scenario (%d question(s) : %s) : %s", len(asked), strings.Join(asked, ", "), msg)
	}
	rs.scenarios = append(rs.scenarios, sc)
}

// unmarshal decodes a rules file; the YAML library panics on some malformed
// input (a tag on an empty sequence, found by FuzzLoadRules), which is an
// invalid file like any other, not a crash of bot validate or a reload.
func unmarshal(data []byte, src *fileSrc) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return yaml.UnmarshalWithOptions(data, src, yaml.DisallowUnknownField())
}
