package index_test

import (
	"context"
	"strings"
	"testing"
)

// Any text a user types: a result, never an error or a panic, and
// suggestions only of entries the FAQ has.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		"Puis-je utiliser ChatGPT?", "copilot web", "qui contacter", "IA-RI-2025-001-OP article 8",
		"chat gtp enterprize", "\xff\xfe\x00", strings.Repeat("é", 3000), "", "?!…«»", "AND OR NOT +-*:~^\"",
	} {
		f.Add(s)
	}
	ix := official(f)
	f.Fuzz(func(t *testing.T, s string) {
		res, err := ix.Search(context.Background(), s)
		if err != nil {
			t.Fatalf("Search(%q): %v", s, err)
		}
		for _, h := range res.Hits {
			if h.Entry == nil {
				t.Fatalf("Search(%q): a hit without its entry", s)
			}
			if _, ok := ix.KB().Entry(h.Entry.ID); !ok {
				t.Fatalf("Search(%q) hit unknown entry %q", s, h.Entry.ID)
			}
		}
		_ = ix.Terms(s)
	})
}
