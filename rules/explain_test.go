package rules

import (
	"strings"
	"testing"
)

// replacePlaceholders gives what a strings.Replacer of the placeholders
// gives, on templates with placeholders, near misses and none.
func TestReplacePlaceholdersAsReplacer(t *testing.T) {
	t.Parallel()
	values := [len(fillNames)]string{"A : oui ; B : non", "", "« C »", "{possible}", "x@example.org"}
	var pairs []string
	for k, name := range fillNames {
		pairs = append(pairs, name, values[k])
	}
	want := strings.NewReplacer(pairs...)
	for _, tmpl := range []string{
		"", "plain", "{", "}", "{{answers}}", "{answer} {answers", "{answers}{exceptions}{to_verify}{possible}{contact}",
		"Réponses : {answers}. À vérifier : {to_verify}; {contact}", "{{contact}", "{possible}{", "é{exceptions}é",
	} {
		if got := replacePlaceholders(tmpl, values); got != want.Replace(tmpl) {
			t.Errorf("%q: %q, Replacer %q", tmpl, got, want.Replace(tmpl))
		}
	}
	if _, ok := placeholders[fillNames[0]]; !ok || len(placeholders) != len(fillNames) {
		t.Fatal("fillNames are not the placeholders")
	}
	for _, name := range fillNames {
		if !placeholders[name] {
			t.Errorf("%s is no placeholder", name)
		}
	}
}
