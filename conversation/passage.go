package conversation

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// passageFinder is what the search offers to pick the passage of a long
// answer; *index.Index has it, a test's fake Searcher may not.
type passageFinder interface {
	BestPassage(question, topic string, parts []string) (int, bool)
}

// An answer of fewer parts than minPassageParts is short enough to read
// whole; a paragraph of longSentences sentences or more is long enough to
// quote one of them.
const (
	minPassageParts = 2
	longSentences   = 3
)

// passage is the part of text (a list item, a paragraph, or a sentence of
// a long paragraph) that best answers question, verbatim (an exact
// substring of text), or "" when the answer is short or no part stands out.
func (e *Engine) passage(question, topic, text string) string {
	_, p := e.passagePart(question, topic, text)
	return p
}

// passagePart is passage with its index in passageParts(text), -1 when none.
func (e *Engine) passagePart(question, topic, text string) (int, string) {
	pf, ok := e.index.(passageFinder)
	if !ok || strings.TrimSpace(question) == "" {
		return -1, ""
	}
	parts := passageParts(text)
	if len(parts) < minPassageParts {
		return -1, ""
	}
	if i, ok := pf.BestPassage(question, topic, parts); ok && i >= 0 && i < len(parts) {
		return i, parts[i]
	}
	return -1, ""
}

// passageRef names part i of text in an action id ("p3.1a2b"): its index
// and a short hash of its words, so that a button kept from before the FAQ
// changed shows no passage rather than another one. The question itself
// never goes into the id, the session or the store.
func passageRef(i int, part string) string {
	h := fnv.New32a()
	h.Write([]byte(part))
	return fmt.Sprintf("p%d.%04x", i, h.Sum32()&0xffff)
}

// passageAt is the part of text that ref names, or "" when ref does not
// name one of text's parts as it now stands (stale or forged).
func passageAt(text, ref string) string {
	var i int
	var hash string
	if _, err := fmt.Sscanf(ref, "p%d.%s", &i, &hash); err != nil {
		return ""
	}
	parts := passageParts(text)
	if i < 0 || i >= len(parts) || passageRef(i, parts[i]) != ref {
		return ""
	}
	return parts[i]
}

// passageParts cuts an official answer into the parts a passage can be:
// each "- " list item, each paragraph, and each sentence of a paragraph of
// longSentences sentences or more. A paragraph quoted whole keeps a
// condition next to what it conditions ("Cette permission est effective
// dans le contexte où…"). A part ending in ":" only leads into a list and
// answers nothing by itself. Every part is an exact substring of text.
func passageParts(text string) []string {
	var parts []string
	add := func(p string) {
		if p = strings.TrimSpace(p); p != "" && !strings.HasSuffix(p, ":") {
			parts = append(parts, p)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "-" {
			continue
		}
		if item, ok := strings.CutPrefix(line, "- "); ok {
			add(item)
			continue
		}
		if ss := sentences(line); len(ss) >= longSentences {
			for _, s := range ss {
				add(s)
			}
			continue
		}
		add(line)
	}
	return parts
}

// sentences splits a paragraph after ".", "?" or "!" followed by a space
// and a capital letter (or « ), so that "(OP)." or "1.5" do not cut.
func sentences(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		if c := p[i]; c != '.' && c != '?' && c != '!' {
			continue
		}
		j := i + 1
		for j < len(p) && p[j] == ' ' {
			j++
		}
		if j == i+1 || j >= len(p) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(p[j:])
		if unicode.IsUpper(r) || r == '«' {
			out = append(out, strings.TrimSpace(p[start:i+1]))
			start = j
		}
	}
	if s := strings.TrimSpace(p[start:]); s != "" {
		out = append(out, s)
	}
	return out
}
