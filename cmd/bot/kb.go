package main

import (
	"fmt"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
)

// loadKB returns the FAQ named by FAQ_DIR, or the embedded official FAQ.
// Every command that answers questions loads it through here.
func loadKB(cfg Config) (*faq.KB, error) {
	kb, err := loadKBDir(cfg.FAQDir)
	if err != nil && cfg.FAQDir != "" {
		return nil, fmt.Errorf("FAQ_DIR=%s: %w", cfg.FAQDir, err)
	}
	return kb, err
}

// loadKBDir loads the FAQ in dir, or the embedded one when dir is "".
func loadKBDir(dir string) (*faq.KB, error) {
	if dir == "" {
		return faq.Default()
	}
	return faq.LoadDir(dir)
}

// newIndex builds the search index with the configured thresholds
// (0 = the index package's measured defaults).
func newIndex(cfg Config, kb *faq.KB) (*index.Index, error) {
	return index.New(kb, index.Options{
		AnswerThreshold:    cfg.AnswerThreshold,
		AmbiguousThreshold: cfg.AmbiguousThreshold,
	})
}
