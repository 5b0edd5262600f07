package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/qc-ia/conformbot/faq"
)

// lastReportFile keeps, in BOT_DATA_DIR, the numbering of the last bot
// report (the redacted questions it listed), so that bot learn N ENTRY
// attaches the very question the officer read as #N.
const lastReportFile = "last-report.json"

type lastReport struct {
	At time.Time `json:"at"`
	// FAQ is the digest of the FAQ content the report was read against:
	// bot learn refuses numbers from a report made before the files changed.
	FAQ       string         `json:"faq"`
	Questions []reportedText `json:"questions"`
}

type reportedText struct {
	N    int    `json:"n"`
	Text string `json:"text"`
}

// kbDigest is a digest of what the loaded FAQ says (entries, phrasings,
// examples, synonyms, document), whichever files it came from: a fresh
// copy of the embedded FAQ has the embedded FAQ's digest.
func kbDigest(kb *faq.KB) string {
	// Where each item was read is kept by file name only: the embedded
	// FAQ and a copy of it differ in folder, not in content.
	entries := slices.Clone(kb.Entries)
	for i := range entries {
		entries[i].Source = filepath.Base(entries[i].Source)
	}
	examples := slices.Clone(kb.Examples)
	for i := range examples {
		examples[i].File = filepath.Base(examples[i].File)
	}
	b, _ := json.Marshal(struct {
		Doc      faq.Document
		Entries  []faq.Entry
		Examples []faq.Example
		Synonyms []faq.SynonymGroup
	}{kb.Doc, entries, examples, kb.Synonyms})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

func saveLastReport(dir string, r lastReport) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	// 0600: the questions are redacted, but still what employees typed.
	return writeAtomicMode(filepath.Join(dir, lastReportFile), b, 0o600)
}

var errNoReport = errors.New("aucun rapport enregistré : lancez d'abord bot report / no report saved: run bot report first")

// loadLastReport reads the last report's numbering; one older than the
// retention is deleted and refused, as the questions it holds would be.
func loadLastReport(dir string, retention time.Duration, now time.Time) (lastReport, error) {
	path := filepath.Join(dir, lastReportFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return lastReport{}, errNoReport
	}
	if err != nil {
		return lastReport{}, err
	}
	var r lastReport
	if err := json.Unmarshal(b, &r); err != nil {
		return lastReport{}, fmt.Errorf("%s illisible, relancez bot report / unreadable, run bot report again: %w", path, err)
	}
	if retention > 0 && now.Sub(r.At) > retention {
		_ = os.Remove(path)
		return lastReport{}, fmt.Errorf("le dernier rapport date du %s, au-delà de DATA_RETENTION : relancez bot report / the last report is older than DATA_RETENTION: run bot report again",
			r.At.Local().Format("2006-01-02 15:04"))
	}
	return r, nil
}

// purgeLastReport deletes the last report's numbering once past retention
// (bot serve's purge runs it).
func purgeLastReport(dir string, retention time.Duration, now time.Time) {
	_, _ = loadLastReport(dir, retention, now)
}

func writeAtomicMode(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
