package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

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
// (0 = the index package's measured defaults). The decision is trained
// once per content: the embedded FAQ ships its model, and a model trained
// for other content is kept under BOT_DATA_DIR and reused while the content
// stays the same.
func newIndex(cfg Config, kb *faq.KB) (*index.Index, error) {
	p := index.Params{AnswerThreshold: cfg.AnswerThreshold, AmbiguousThreshold: cfg.AmbiguousThreshold}
	key := index.ContentKey(kb, p)
	path := ""
	if cfg.DataDir != "" {
		path = filepath.Join(cfg.DataDir, "model-"+key+".json")
	}
	var cached *index.Model
	if path != "" {
		if b, err := os.ReadFile(path); err == nil {
			var m index.Model
			if json.Unmarshal(b, &m) == nil {
				cached = &m
			}
		}
	}
	ix, err := index.New(kb, index.Options{Params: p, Model: cached})
	if err != nil {
		return nil, err
	}
	if m := ix.Model(); path != "" && m != cached && !index.IsEmbeddedModel(m) {
		// Best effort: without a writable data directory, the next start
		// trains again.
		if b, err := json.Marshal(m); err == nil && os.MkdirAll(cfg.DataDir, 0o700) == nil {
			tmp := path + ".tmp"
			if os.WriteFile(tmp, b, 0o600) == nil {
				_ = os.Rename(tmp, path)
			}
		}
	}
	return ix, nil
}
