package conversation

import "strings"

// passageFinder is what the search offers to pick the passage of a long
// answer; *index.Index has it, a test's fake Searcher may not.
type passageFinder interface {
	BestPassage(question string, parts []string) (int, bool)
}

// minPassageItems: below this many list items an answer is short enough to
// read whole.
const minPassageItems = 3

// passage is the list item of text that best answers question, verbatim
// (an exact substring of text), or "" when the answer is short or no item
// stands out.
func (e *Engine) passage(question, text string) string {
	pf, ok := e.index.(passageFinder)
	if !ok {
		return ""
	}
	var items []string
	for _, line := range strings.Split(text, "\n") {
		if item, ok := strings.CutPrefix(strings.TrimSpace(line), "- "); ok && strings.TrimSpace(item) != "" {
			items = append(items, item)
		}
	}
	if len(items) < minPassageItems {
		return ""
	}
	if i, ok := pf.BestPassage(question, items); ok {
		return items[i]
	}
	return ""
}
