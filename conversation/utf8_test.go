package conversation

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"café", "café"},
		{"caf\xe9 cr\xe8me", "café crème"},
		{"a\x80b\xc3", "abÃ"},
		{"\xff\xfe", "ÿþ"},
		{"\xed\xa0\x80x", "í\u00a0x"}, // a UTF-16 surrogate encoded: not UTF-8
		{"", ""},
	} {
		if got := ValidText(tt.in); got != tt.want || !utf8.ValidString(got) {
			t.Errorf("ValidText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// Every adapter calls the engine through Runtime.Handle: the engine never
// sees invalid UTF-8, whatever the platform sent.
func TestRuntimeHandleValidUTF8(t *testing.T) {
	t.Parallel()
	var got Message
	rt := NewRuntime(HandlerFunc(func(_ context.Context, m Message) (Reply, error) {
		got = m
		return Reply{Text: []string{"ok"}}, nil
	}), RuntimeOptions{})
	in := Message{Platform: PlatformSlack, UserID: "U\xff", Text: "Puis-je utiliser l'IA\xe0 \x80?", Action: "a\xff", Locale: "fr\xc3"}
	if _, err := rt.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{got.Text, got.Action, got.Locale} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
			t.Errorf("engine saw %q", s)
		}
	}
	if got.Text != "Puis-je utiliser l'IAà ?" || got.UserID != in.UserID {
		t.Errorf("engine saw %+v", got)
	}
}

// The splitter is safe on any byte sequence: pieces within the limit,
// nothing but white space lost, no panic.
func TestSplitInvalidUTF8(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		strings.Repeat("\x80", 3001),
		strings.Repeat("\xff", 3001),
		strings.Repeat("é\xc3", 2000),
		strings.Repeat("a\xe2\x82", 1500) + " fin",
		"\xf0\x9f\x98" + strings.Repeat("x", 3000),
	} {
		for _, sp := range []Splitter{{Limit: 3000, Len: UTF16Len}, {Limit: 3000}, {Limit: 7, Len: UTF16Len}} {
			parts := sp.Split(in)
			size := sp.Len
			if size == nil {
				size = runeLen
			}
			for _, p := range parts {
				if size(p) > sp.Limit {
					t.Errorf("piece of %d > %d", size(p), sp.Limit)
				}
			}
			if strings.ReplaceAll(strings.Join(parts, ""), " ", "") != strings.ReplaceAll(in, " ", "") {
				t.Errorf("split of %d bytes lost text", len(in))
			}
		}
	}
}
