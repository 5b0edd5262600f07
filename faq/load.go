package faq

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
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/qc-ia/conformbot/internal/nearest"
	"github.com/qc-ia/conformbot/internal/yamlhint"
)

// File names inside an FAQ directory. Every other *.yaml file is one entry.
const (
	DocumentFile = "document.yaml"
	SynonymsFile = "synonyms.yaml"
	ExamplesFile = "exemples.yaml"
)

//go:embed data/*.yaml
var embedded embed.FS

// Default returns the official FAQ embedded in the binary.
func Default() (*KB, error) {
	return LoadFS(embedded, "data")
}

// LoadDir reads an FAQ directory (document.yaml, one YAML file per entry,
// optional synonyms.yaml). Without synonyms.yaml, the embedded synonyms are
// used: they describe how employees speak, not the answers.
func LoadDir(dir string) (*KB, error) {
	src, err := ReadSource(dir)
	if err != nil {
		return nil, err
	}
	return src.Load()
}

// Source is an FAQ directory read into memory, not yet parsed: Load parses
// it as LoadDir does, and Fingerprint identifies its files, so that a
// program can keep what Load returns for the same files.
type Source struct {
	shown   string // the directory, in messages
	dir     bool   // read from disk: synonyms default to the embedded ones
	names   []string
	data    [][]byte
	readErr []error
}

// ReadSource reads the FAQ directory dir, or the embedded FAQ when dir is "".
func ReadSource(dir string) (*Source, error) {
	if dir == "" {
		return readFS(embedded, "data", "data", false)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("faq: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("faq: %s is not a directory", dir)
	}
	return readFS(os.DirFS(dir), ".", dir, true)
}

func readFS(fsys fs.FS, root, shown string, dir bool) (*Source, error) {
	names, err := fs.Glob(fsys, path.Join(root, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("faq: %w", err)
	}
	sort.Strings(names)
	s := &Source{shown: shown, dir: dir, names: names, data: make([][]byte, len(names)), readErr: make([]error, len(names))}
	for i, name := range names {
		s.data[i], s.readErr[i] = fs.ReadFile(fsys, name)
	}
	return s, nil
}

// Fingerprint is a digest of the files' names and bytes (and of where they
// come from: the embedded FAQ or a directory), "" when one could not be
// read. The same fingerprint, for the same program, loads the same FAQ.
func (s *Source) Fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "dir=%t;%d;", s.dir, len(s.names))
	for i, name := range s.names {
		if s.readErr[i] != nil {
			return ""
		}
		fmt.Fprintf(h, "%d:%s;%d:", len(path.Base(name)), path.Base(name), len(s.data[i]))
		h.Write(s.data[i])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Load parses and checks the files, as LoadDir.
func (s *Source) Load() (*KB, error) {
	kb, err := s.parse()
	if err != nil {
		return nil, err
	}
	if s.dir && kb.Synonyms == nil {
		def, err := loadFS(embedded, "data", "")
		if err != nil {
			return nil, err
		}
		kb.Synonyms = def.Synonyms
	}
	return kb, nil
}

// LoadFS reads an FAQ directory root inside fsys (see LoadDir); a missing
// synonyms.yaml leaves KB.Synonyms nil.
func LoadFS(fsys fs.FS, root string) (*KB, error) {
	return loadFS(fsys, root, root)
}

// Problem is one validation finding, located in a file.
type Problem struct {
	File string
	Line int // 0 when the problem concerns the whole file
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// ValidationError lists every problem found in an FAQ directory.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = p.String()
	}
	return "faq: " + strings.Join(s, "; ")
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

type loader struct {
	problems []Problem
	file     string // shown in messages
}

func (l *loader) add(line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func loadFS(fsys fs.FS, root, shown string) (*KB, error) {
	src, err := readFS(fsys, root, shown, false)
	if err != nil {
		return nil, err
	}
	return src.parse()
}

func (s *Source) parse() (*KB, error) {
	names, shown := s.names, s.shown
	l := &loader{}
	kb := &KB{}
	haveDoc := false
	firstLine := map[string]string{} // id -> "file:line" of its first definition
	// Files are parsed side by side (the examples file is most of the
	// parsing time of a one-shot command), then read in order.
	type parsed struct {
		f        *ast.File
		data     []byte
		err      error
		readFail error
	}
	files := make([]parsed, len(names))
	var wg sync.WaitGroup
	for i := range names {
		files[i].data, files[i].readFail = s.data[i], s.readErr[i]
		if files[i].readFail != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			files[i].f, files[i].err = parser.ParseBytes(files[i].data, 0)
		}()
	}
	wg.Wait()
	for i, name := range names {
		base := path.Base(name)
		l.file = path.Join(shown, base)
		if err := files[i].readFail; err != nil {
			l.add(0, "%v", err)
			continue
		}
		body := l.body(files[i].f, files[i].data, files[i].err)
		if body == nil {
			continue
		}
		switch base {
		case DocumentFile:
			haveDoc = true
			kb.Doc = l.document(body)
		case SynonymsFile:
			kb.Synonyms = l.synonyms(body)
			if kb.Synonyms == nil {
				kb.Synonyms = []SynonymGroup{}
			}
		case ExamplesFile:
			kb.Examples = l.examples(body)
		default:
			e, line, ok := l.entry(body)
			if !ok {
				continue
			}
			if prev, dup := firstLine[e.ID]; dup {
				l.add(line, "identifiant en double « %s » (déjà défini à %s) / duplicate id %q (first at %s)", e.ID, prev, e.ID, prev)
				continue
			}
			firstLine[e.ID] = fmt.Sprintf("%s:%d", l.file, line)
			e.Source = firstLine[e.ID]
			kb.Entries = append(kb.Entries, e)
		}
	}
	if !haveDoc {
		l.file = path.Join(shown, DocumentFile)
		l.add(0, "fichier manquant / missing file")
	}
	if len(kb.Entries) == 0 && len(names) > 0 {
		l.file = shown
		l.add(0, "aucune entrée de FAQ / no FAQ entries")
	}
	if len(names) == 0 {
		l.file = shown
		l.add(0, "aucun fichier .yaml / no .yaml files")
	}
	l.checkExamples(kb, firstLine)
	for _, e := range kb.Entries {
		for _, id := range e.Related {
			if _, ok := firstLine[id]; !ok || id == e.ID {
				l.file = e.Source
				l.add(0, "« related » : entrée « %s » inconnue / unknown related entry %q", id, id)
			}
		}
	}
	if len(l.problems) > 0 {
		return nil, &ValidationError{Problems: l.problems}
	}
	return kb, nil
}

// examples reads exemples.yaml: messages under the id of the entry that
// answers them, and under hors_sujet the ones the FAQ does not answer.
func (l *loader) examples(body ast.Node) []Example {
	m, ok := body.(*ast.MappingNode)
	if !ok {
		l.add(line(body), "un dictionnaire (identifiant d'entrée ou hors_sujet: liste de messages) est attendu / expected a mapping of entry id (or hors_sujet) to messages")
		return nil
	}
	var out []Example
	for _, mv := range m.Values {
		id := mv.Key.String()
		seq, ok := mv.Value.(*ast.SequenceNode)
		if !ok {
			l.add(line(mv.Key), "« %s » : liste de messages attendue / %q: expected a list of messages", id, id)
			continue
		}
		if id == OutOfScope {
			id = ""
		}
		for _, item := range seq.Values {
			var s string
			if err := yaml.NodeToValue(item, &s); err != nil || strings.TrimSpace(s) == "" {
				l.add(line(item), "message vide ou qui n'est pas du texte / empty or non-text message")
				continue
			}
			out = append(out, Example{Text: s, Entry: id, File: l.file, Line: line(item)})
		}
	}
	return out
}

// OutOfScope is the key of exemples.yaml that lists messages the FAQ does
// not answer.
const OutOfScope = "hors_sujet"

// checkExamples reports examples labelled with an unknown entry, repeated
// examples, and examples that repeat a phrasing of an entry: a phrasing is
// already learned from, and an out-of-scope message that is also a
// phrasing contradicts it.
func (l *loader) checkExamples(kb *KB, ids map[string]string) {
	phrasing := map[string]string{}
	for _, e := range kb.Entries {
		for _, s := range append([]string{e.Question}, e.Alternates...) {
			phrasing[normText(s)] = e.ID
		}
	}
	seen := map[string]string{}
	// An unknown key is one mistake however many examples it holds: one
	// problem, at its first example, with the nearest id.
	unknown := map[string]int{}
	var known []string
	for id := range ids {
		known = append(known, id)
	}
	for _, x := range kb.Examples {
		l.file = x.File
		if _, ok := ids[x.Entry]; x.Entry != "" && !ok {
			if unknown[x.Entry]++; unknown[x.Entry] == 1 {
				l.add(x.Line, "%s", unknownEntry(x.Entry, known))
			}
			continue
		}
		k := normText(x.Text)
		if id, ok := phrasing[k]; ok {
			l.add(x.Line, "ce message est déjà une formulation de l'entrée « %s » / this message is already a phrasing of entry %q", id, id)
			continue
		}
		if prev, ok := seen[k]; ok {
			l.add(x.Line, "message en double (déjà à %s) / duplicate message (first at %s)", prev, prev)
			continue
		}
		seen[k] = fmt.Sprintf("%s:%d", x.File, x.Line)
	}
}

// TrainingProblems reports what the search cannot learn from: an entry
// with no alternate phrasing (its official question alone cannot be both
// learned from and tested against), located at the entry's id.
func TrainingProblems(kb *KB) []Problem {
	var out []Problem
	for _, e := range kb.Entries {
		if len(e.Alternates) > 0 {
			continue
		}
		file, ln := e.Source, 0
		if i := strings.LastIndexByte(file, ':'); i > 0 {
			fmt.Sscan(file[i+1:], &ln)
			file = file[:i]
		}
		out = append(out, Problem{File: file, Line: ln, Msg: fmt.Sprintf("l'entrée « %s » n'a aucune formulation (alternates) : la recherche ne peut pas apprendre à la reconnaître / entry %q has no alternate phrasing: the search cannot learn it", e.ID, e.ID)})
	}
	return out
}

func unknownEntry(id string, known []string) string {
	msg := fmt.Sprintf("entrée inconnue « %s » (ses messages suivants ne sont pas signalés) / unknown entry %q (its further messages are not reported)", id, id)
	if near := nearest.ID(id, known); near != "" {
		msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ? / did you mean %q?", near, near)
	}
	return msg
}

// normText is how two messages are compared: case and spacing aside.
func normText(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// body returns the single document's body, or nil after recording a problem.
func (l *loader) body(f *ast.File, data []byte, err error) ast.Node {
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			line, msg := yamlhint.Explain(data, ye.GetToken().Position.Line, ye.GetMessage())
			l.add(line, "%s", msg)
		} else {
			l.add(0, "YAML invalide / invalid YAML: %v", err)
		}
		return nil
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		l.add(0, "un seul document YAML attendu / expected exactly one YAML document")
		return nil
	}
	return f.Docs[0].Body
}

func line(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// fields checks that n is a mapping with only known keys, each at most once,
// and returns the value nodes by key with the line of each key.
func (l *loader) fields(n ast.Node, known ...string) (map[string]ast.Node, map[string]int, bool) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		l.add(line(n), "un dictionnaire (clé: valeur) est attendu / expected a mapping")
		return nil, nil, false
	}
	vals, lines := map[string]ast.Node{}, map[string]int{}
	for _, mv := range m.Values {
		k := mv.Key.String()
		ln := line(mv.Key)
		if !contains(known, k) {
			l.add(ln, "champ inconnu « %s » (attendus : %s) / unknown field %q", k, strings.Join(known, ", "), k)
			continue
		}
		if _, dup := vals[k]; dup {
			l.add(ln, "champ « %s » en double / duplicate field %q", k, k)
			continue
		}
		vals[k], lines[k] = mv.Value, ln
	}
	return vals, lines, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str reads a required, non-blank string field.
func (l *loader) str(vals map[string]ast.Node, lines map[string]int, key string, at int) string {
	n, ok := vals[key]
	if !ok {
		l.add(at, "champ obligatoire « %s » manquant / missing required field %q", key, key)
		return ""
	}
	var s string
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		if err := yaml.NodeToValue(n, &s); err != nil {
			l.add(lines[key], "« %s » : texte attendu / %q: expected text", key, key)
			return ""
		}
	case *ast.NullNode:
	default:
		l.add(lines[key], "« %s » : texte attendu / %q: expected text", key, key)
		return ""
	}
	if strings.TrimSpace(s) == "" {
		l.add(lines[key], "champ « %s » vide / empty field %q", key, key)
	}
	return s
}

// list reads an optional list of non-blank strings.
func (l *loader) list(vals map[string]ast.Node, lines map[string]int, key string) []string {
	n, ok := vals[key]
	if !ok {
		return nil
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		if _, null := n.(*ast.NullNode); null {
			return nil
		}
		l.add(lines[key], "« %s » : liste attendue / %q: expected a list", key, key)
		return nil
	}
	var out []string
	for _, item := range seq.Values {
		var s string
		switch item.(type) {
		case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode:
			if err := yaml.NodeToValue(item, &s); err != nil {
				l.add(line(item), "« %s » : texte attendu / %q: expected text", key, key)
				continue
			}
		default:
			if _, null := item.(*ast.NullNode); !null {
				l.add(line(item), "« %s » : texte attendu / %q: expected text", key, key)
				continue
			}
		}
		if strings.TrimSpace(s) == "" {
			ln := line(item)
			if ln == 0 {
				ln = lines[key]
			}
			l.add(ln, "élément vide dans « %s » / empty item in %q", key, key)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (l *loader) document(body ast.Node) Document {
	vals, lines, ok := l.fields(body, "title", "issuer", "reference", "date", "url", "links")
	if !ok {
		return Document{}
	}
	d := Document{
		Title:     l.str(vals, lines, "title", 1),
		Issuer:    l.str(vals, lines, "issuer", 1),
		Reference: l.str(vals, lines, "reference", 1),
	}
	if date := l.str(vals, lines, "date", 1); date != "" {
		t, err := time.Parse("2006-01-02", date)
		if err != nil {
			l.add(lines["date"], "date « %s » invalide, AAAA-MM-JJ attendu / invalid date, expected YYYY-MM-DD", date)
		}
		d.Date = t
	}
	if _, ok := vals["url"]; ok {
		d.URL = l.str(vals, lines, "url", 1)
		l.checkURL(lines["url"], d.URL)
	}
	if n, ok := vals["links"]; ok {
		if err := yaml.NodeToValue(n, &d.Links); err != nil {
			l.add(lines["links"], "« links » : une liste de {title, url} est attendue / expected a list of {title, url}: %v", err)
		}
		for _, k := range d.Links {
			if strings.TrimSpace(k.Title) == "" {
				l.add(lines["links"], "lien sans titre / link without a title")
			}
			l.checkURL(lines["links"], k.URL)
		}
	}
	return d
}

// checkURL refuses an address that is not https://: a link the bot shows
// must not open a page in clear or run a script.
func (l *loader) checkURL(at int, u string) {
	if !strings.HasPrefix(u, "https://") || strings.ContainsAny(u, " \t\n") {
		l.add(at, "adresse « %s » refusée : https:// attendu / address refused: expected https://", u)
	}
}

func (l *loader) entry(body ast.Node) (Entry, int, bool) {
	vals, lines, ok := l.fields(body, "id", "question", "answer", "alternates", "keywords", "related")
	if !ok {
		return Entry{}, 0, false
	}
	before := len(l.problems)
	e := Entry{
		ID:         l.str(vals, lines, "id", 1),
		Question:   l.str(vals, lines, "question", 1),
		Answer:     l.str(vals, lines, "answer", 1),
		Alternates: l.list(vals, lines, "alternates"),
		Keywords:   l.list(vals, lines, "keywords"),
		Related:    l.list(vals, lines, "related"),
	}
	if e.ID != "" && !idPattern.MatchString(e.ID) {
		l.add(lines["id"], "identifiant « %s » invalide (minuscules, chiffres, tirets) / invalid id (lowercase, digits, dashes)", e.ID)
	}
	at := lines["id"]
	if at == 0 {
		at = 1
	}
	return e, at, len(l.problems) == before
}

func (l *loader) synonyms(body ast.Node) []SynonymGroup {
	seq, ok := body.(*ast.SequenceNode)
	if !ok {
		l.add(line(body), "une liste de groupes (term, variants) est attendue / expected a list of groups (term, variants)")
		return nil
	}
	var out []SynonymGroup
	seen := map[string]int{}
	for _, item := range seq.Values {
		vals, lines, ok := l.fields(item, "term", "variants")
		if !ok {
			continue
		}
		at := line(item)
		g := SynonymGroup{Term: l.str(vals, lines, "term", at), Variants: l.list(vals, lines, "variants")}
		if len(g.Variants) == 0 {
			l.add(at, "groupe « %s » sans variantes / group %q has no variants", g.Term, g.Term)
			continue
		}
		for _, v := range g.Variants {
			k := strings.ToLower(strings.TrimSpace(v))
			if prev, dup := seen[k]; dup {
				l.add(lines["variants"], "variante « %s » déjà utilisée ligne %d / variant %q already used at line %d", v, prev, v, prev)
			}
			seen[k] = lines["variants"]
		}
		out = append(out, g)
	}
	return out
}
