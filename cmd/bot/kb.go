package main

import (
	"fmt"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
)

// loadKB returns the FAQ named by FAQ_DIR, or the embedded official FAQ.
// Every command that answers questions loads it through here.
func loadKB(cfg Config) (*faq.KB, error) {
	if cfg.FAQDir != "" {
		kb, err := faq.LoadDir(cfg.FAQDir)
		if err != nil {
			return nil, fmt.Errorf("FAQ_DIR=%s: %w", cfg.FAQDir, err)
		}
		return kb, nil
	}
	return faq.Default()
}

// newIndex builds the search index with the configured thresholds
// (0 = the index package's measured defaults).
func newIndex(cfg Config, kb *faq.KB) (*index.Index, error) {
	return index.New(kb, index.Options{
		AnswerThreshold:    cfg.AnswerThreshold,
		AmbiguousThreshold: cfg.AmbiguousThreshold,
	})
}
