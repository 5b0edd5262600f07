package yamlhint

import (
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, msg string
		line, want     int
		has            string
	}{
		{name: "unclosed quote far above", src: "id: a\nquestion: \"Quoi ?\nanswer: x\nalternates:\n  - \"b\"\n", msg: "value is not allowed in this context",
			line: 5, want: 2, has: "guillemet « \" » non fermé à la ligne 2"},
		{name: "indentation", src: "id: a\nquestion: \"q\"\n  extra: oops\n", msg: "value is not allowed in this context. map key-value is pre-defined",
			line: 3, want: 3, has: "indentation : la ligne 3 est-elle plus à droite"},
		{name: "quotes closed, colon in a single-quoted value", src: "a: \"x \\\" y\"\nb: 'l''été: \"chaud'\nc: d\"e\n", msg: "mapping value is not allowed in this context",
			line: 3, want: 3, has: "indentation"},
		{name: "comment with a quote", src: "# dit \"bonjour\n a: b\n", msg: "found character that cannot start any token: tab", line: 2, want: 2, has: "tabulation"},
		{name: "other", src: "a: b\n", msg: "something odd", line: 1, want: 1, has: "YAML invalide / invalid YAML: something odd"},
	}
	for _, tt := range tests {
		line, msg := Explain([]byte(tt.src), tt.line, tt.msg)
		if line != tt.want || !strings.Contains(msg, tt.has) || !strings.Contains(msg, tt.msg) {
			t.Errorf("%s: line %d, %q; want line %d with %q and the parser's words", tt.name, line, msg, tt.want, tt.has)
		}
	}
}
