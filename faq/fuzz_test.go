package faq_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/qc-ia/conformbot/faq"
)

// An operator's entry file, whatever it holds: a KB or a located
// validation error, never a panic.
func FuzzLoadEntry(f *testing.F) {
	for _, s := range []string{
		goodEntry, "id: x\nquestion: [\nanswer: |\n", "id: !!binary AAAA\n", "- a\n- b\n",
		"id: a\nquestion: Q?\nanswer: R\nalternates: {x: 1}\n", "&a [*a, *a]", "\xff\xfe: \x00", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fsys := fstest.MapFS{
			"faq/document.yaml": {Data: []byte(goodDoc)},
			"faq/entry.yaml":    {Data: []byte(body)},
		}
		kb, err := faq.LoadFS(fsys, "faq")
		if err == nil {
			if kb == nil || len(kb.Entries) == 0 {
				t.Fatalf("no error and no entry for %q", body)
			}
			return
		}
		var ve *faq.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("error %v for %q: want located problems", err, body)
		}
	})
}
