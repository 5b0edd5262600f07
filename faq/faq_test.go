package faq_test

import (
	"os"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

// The official text must be quoted exactly: every answer and question is a
// verbatim part of the seed document (copied to testdata/).
func TestDefaultIsVerbatim(t *testing.T) {
	t.Parallel()
	seed, err := os.ReadFile("testdata/faq-ia-ri-2025-001-op.fr.txt")
	if err != nil {
		t.Fatal(err)
	}
	kb, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{"indication-application", "assistant-virtuel-iag", "version-web-copilot-chatgpt",
		"portee-suspension", "projet-sans-budget", "organisations-concernees", "raisons-suspension",
		"duree-suspension", "exceptions", "demarche-structuree", "contact"}
	if len(kb.Entries) != len(wantIDs) {
		t.Fatalf("got %d entries, want %d", len(kb.Entries), len(wantIDs))
	}
	for i, e := range kb.Entries {
		if e.ID != wantIDs[i] {
			t.Errorf("entry %d: id %q, want %q", i, e.ID, wantIDs[i])
		}
		block := "\n" + e.Question + "\n\n" + e.Answer + "\n\n"
		if !strings.Contains(string(seed), block) {
			t.Errorf("%s: question+answer is not a verbatim block of the seed", e.ID)
		}
		if len(e.Alternates) < 5 || len(e.Keywords) == 0 {
			t.Errorf("%s: %d alternates, %d keywords; search needs employee phrasings", e.ID, len(e.Alternates), len(e.Keywords))
		}
	}
	if got, want := kb.Doc.SourceLabel("fr"), "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"; got != want {
		t.Errorf("SourceLabel(fr) = %q, want %q", got, want)
	}
	if got, want := kb.Doc.SourceLabel("en"), "Source: FAQ IA-RI-2025-001-OP, MCN, March 18, 2025"; got != want {
		t.Errorf("SourceLabel(en) = %q, want %q", got, want)
	}
	if len(kb.Synonyms) == 0 {
		t.Error("no synonym groups in the embedded FAQ")
	}
}
