package conversation

import (
	"reflect"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

// An engine quotes each entry once per language: what it returns again is
// what Quote gives, and a caller appending to one answer's lists changes
// nothing of the next.
func TestAnswerOfIsQuote(t *testing.T) {
	t.Parallel()
	kb, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{KB: kb})
	for _, en := range kb.Entries {
		for _, lang := range []string{LangFR, LangEN} {
			want := Quote(kb, &en, lang)
			for range 2 {
				got, ok := e.answerOf(en.ID, lang)
				if !ok || !reflect.DeepEqual(got, want) {
					t.Fatalf("answerOf(%q, %s) = %+v; want Quote's %+v", en.ID, lang, got, want)
				}
				got.Links = append(got.Links, Link{Title: "x", URL: "https://x"})
				got.Related = append(got.Related, Related{EntryID: "x"})
				got.Emphasis = append(got.Emphasis, "x")
			}
		}
	}
	if _, ok := e.answerOf("no-such-entry", LangFR); ok {
		t.Error("answerOf(unknown entry) = ok")
	}
}
