// Package faq holds the official FAQ on directive IA-RI-2025-001-OP as data:
// the source document, the entries (official question and answer, verbatim,
// plus alternate phrasings and keywords used only for search) and the
// synonym groups the search folds user words into. The official FAQ is
// embedded; LoadDir reads an edited copy from disk.
package faq

import (
	"fmt"
	"time"
)

// Document is the official source every answer is quoted from.
type Document struct {
	Title     string
	Issuer    string // "MCN"
	Reference string // "IA-RI-2025-001-OP"
	Date      time.Time
	URL       string // the document's address (https://), "" when unconfirmed
	// Links are the addresses of the documents the answers cite as
	// [title](#): Title is the bracketed text, exactly.
	Links []Link
}

// Link is the address of a document an answer cites.
type Link struct {
	Title string `yaml:"title"`
	URL   string `yaml:"url"`
}

// LinkFor returns the address of the cited title, "" when unknown.
func (d Document) LinkFor(title string) string {
	for _, l := range d.Links {
		if l.Title == title {
			return l.URL
		}
	}
	return ""
}

var frMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// SourceLabel is the line printed under an answer, in French unless lang is "en":
// "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025" or
// "Source: FAQ IA-RI-2025-001-OP, MCN, March 18, 2025".
func (d Document) SourceLabel(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("Source: FAQ %s, %s, %s", d.Reference, d.Issuer, d.Date.Format("January 2, 2006"))
	}
	day := fmt.Sprint(d.Date.Day())
	if d.Date.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("Source : FAQ %s, %s, %s %s %d", d.Reference, d.Issuer, day, frMonths[d.Date.Month()-1], d.Date.Year())
}

// Entry is one official question and answer. Question and Answer are the
// official text, quoted exactly (the answer may hold "- " lists and
// [title](url) links); Alternates and Keywords only help search.
type Entry struct {
	ID         string
	Question   string
	Answer     string
	Alternates []string
	Keywords   []string
	Related    []string // ids of the entries offered after this one (its cross-references first)
	Source     string   // "file:line" where it was read, for error messages
}

// SynonymGroup maps the words people type (Variants: single words or
// phrases, French or English) onto one Term used in the official text.
type SynonymGroup struct {
	Term     string
	Variants []string
}

// Example is a message as employees write it, labelled with the entry that
// answers it, or with no entry when the FAQ has no answer (out of scope).
// Examples only train the search's decision: they are never shown, and never
// indexed as phrasings of an entry.
type Example struct {
	Text  string
	Entry string // "" for a message the FAQ does not answer
	File  string // where it was read, for error messages
	Line  int
}

// KB is a loaded knowledge base: the document, its entries in FAQ order,
// the synonym groups for search and the labelled example messages.
type KB struct {
	Doc      Document
	Entries  []Entry
	Synonyms []SynonymGroup
	Examples []Example
}

// Entry returns the entry with the given id.
func (kb *KB) Entry(id string) (*Entry, bool) {
	for i := range kb.Entries {
		if kb.Entries[i].ID == id {
			return &kb.Entries[i], true
		}
	}
	return nil, false
}
