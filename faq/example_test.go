package faq_test

import (
	"fmt"

	"github.com/qc-ia/conformbot/faq"
)

func ExampleDefault() {
	kb, err := faq.Default()
	if err != nil {
		panic(err)
	}
	e, _ := kb.Entry("contact")
	fmt.Println(len(kb.Entries), "entries")
	fmt.Println(e.Question)
	fmt.Println(kb.Doc.SourceLabel("fr"))
	// Output:
	// 11 entries
	// QUI CONTACTER EN CAS DE QUESTIONS ?
	// Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025
}

func ExampleDocument_SourceLabel() {
	kb, _ := faq.Default()
	fmt.Println(kb.Doc.SourceLabel("en"))
	// Output: Source: FAQ IA-RI-2025-001-OP, MCN, March 18, 2025
}
