package conversation

import (
	"fmt"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	rep := strings.Repeat
	words := strings.TrimSpace(rep("directive ", 30)) // 299 characters
	var mixed strings.Builder
	for i := range 400 {
		fmt.Fprintf(&mixed, "mot%d", i)
		switch {
		case i%50 == 49:
			mixed.WriteString("\n\n")
		case i%7 == 6:
			mixed.WriteString("\n")
		default:
			mixed.WriteString(" ")
		}
	}
	tests := []struct {
		name      string
		text      string
		sp        Splitter
		wantParts int    // 0: any number above 1
		sep       string // joining the parts with it gives the text back ("-": not checked)
	}{
		{"fits", "court", Splitter{Limit: 10}, 1, ""},
		{"exactly the limit", rep("a", 10), Splitter{Limit: 10}, 1, ""},
		{"blank", " \n\n ", Splitter{Limit: 10}, -1, "-"},
		{"paragraphs packed", "aaaa\n\nbbbb\n\ncccc", Splitter{Limit: 10}, 2, "\n\n"},
		{"one long paragraph of lines", "aaaa\nbbbb\ncccc", Splitter{Limit: 10}, 2, "\n"},
		{"words", words, Splitter{Limit: 100}, 3, " "},
		{"a word longer than the limit", rep("x", 25), Splitter{Limit: 10}, 3, ""},
		{"emoji count twice in UTF-16", rep("😀", 6), Splitter{Limit: 10, Len: UTF16Len}, 2, ""},
		{"emoji count once in runes", rep("😀", 6), Splitter{Limit: 10}, 1, ""},
		{"discord size", rep(rep("é", 900)+"\n\n", 5), Splitter{Limit: 2000, Len: UTF16Len}, 3, "\n\n"},
		{"sentences", rep("Une phrase. Une autre phrase, un peu plus longue. ", 60), Splitter{Limit: 300}, 0, " "},
		{"mixed separators", mixed.String(), Splitter{Limit: 300}, 0, "-"},
		{"lines", rep("- un point de liste\n", 100), Splitter{Limit: 120, Len: UTF16Len}, 0, "\n"},
		{"byte length", rep("é", 700), Splitter{Limit: 256, Len: func(s string) int { return len(s) }}, 6, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parts := tc.sp.Split(tc.text)
			size := tc.sp.Len
			if size == nil {
				size = runeLen
			}
			switch {
			case tc.wantParts == -1 && parts != nil:
				t.Errorf("parts %q, want none", parts)
			case tc.wantParts == 0 && len(parts) < 2:
				t.Errorf("%d parts, want a split", len(parts))
			case tc.wantParts > 0 && len(parts) != tc.wantParts:
				t.Errorf("%d parts, want %d: %q", len(parts), tc.wantParts, parts)
			}
			for i, p := range parts {
				if size(p) > tc.sp.Limit || strings.TrimSpace(p) == "" {
					t.Errorf("part %d: length %d (limit %d) %q", i, size(p), tc.sp.Limit, p)
				}
			}
			// In order and without loss, but for the white space at cuts.
			squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if got, want := squeeze(strings.Join(parts, "")), squeeze(tc.text); got != want {
				t.Errorf("text lost: %q", parts)
			}
			if tc.sep != "-" {
				if got := strings.Join(parts, tc.sep); got != strings.TrimSpace(tc.text) {
					t.Errorf("joined parts %q, want the text back %q", got, tc.text)
				}
			}
		})
	}
}

// CanCut keeps links whole: the Slack case.
func TestSplitCanCut(t *testing.T) {
	t.Parallel()
	link := "<https://www.quebec.ca/" + strings.Repeat("x", 40) + "|lien>"
	inLink := func(s string, i int) bool { return strings.LastIndex(s[:i], "<") <= strings.LastIndex(s[:i], ">") }
	sp := Splitter{Limit: 100, Len: UTF16Len, CanCut: inLink}
	parts := sp.Split(strings.Repeat("mot "+link+" ", 80))
	for _, p := range parts {
		if strings.Count(p, "<") != strings.Count(p, ">") {
			t.Errorf("link cut: %q", p)
		}
	}
	// A link longer than the limit is cut rather than dropped.
	huge := "<" + strings.Repeat("y", 250) + ">"
	if parts := sp.Split(huge); strings.Join(parts, "") != huge {
		t.Errorf("huge link: %q", parts)
	}
}

func BenchmarkSplit(b *testing.B) {
	text := strings.Repeat("Une phrase de la FAQ officielle, assez longue pour compter. ", 200)
	sp := Splitter{Limit: 2000, Len: UTF16Len}
	for b.Loop() {
		sp.Split(text)
	}
}
