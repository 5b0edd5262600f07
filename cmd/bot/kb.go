package main

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
)

// loadKB returns the FAQ named by FAQ_DIR, or the embedded official FAQ.
// Every command that answers questions loads it through here. Parsing and
// checking the YAML is a good part of a start: what it gives is kept under
// the data directory for the same files and the same build of the program.
func loadKB(cfg Config) (*faq.KB, error) {
	kb, err := loadKBCached(cfg)
	if err != nil && cfg.FAQDir != "" {
		return nil, fmt.Errorf("FAQ_DIR=%s: %w", cfg.FAQDir, err)
	}
	return kb, err
}

func loadKBCached(cfg Config) (*faq.KB, error) {
	src, err := faq.ReadSource(cfg.FAQDir)
	if err != nil {
		return nil, err
	}
	path := ""
	if fp := src.Fingerprint(); fp != "" {
		path = buildCachePath(cfg, "faq-", fp, ".gob")
	}
	if path != "" {
		if b, err := os.ReadFile(path); err == nil {
			var kb faq.KB
			if gob.NewDecoder(bytes.NewReader(b)).Decode(&kb) == nil && len(kb.Entries) > 0 {
				if kb.Synonyms == nil { // gob drops empty slices; a loaded FAQ has its list
					kb.Synonyms = []faq.SynonymGroup{}
				}
				return &kb, nil
			}
		}
	}
	kb, err := src.Load()
	if err != nil {
		return nil, err
	}
	if path != "" {
		var b bytes.Buffer
		if gob.NewEncoder(&b).Encode(kb) == nil {
			writeCache(cfg.DataDir, path, b.Bytes(), "faq-")
		}
	}
	return kb, nil
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
	// The analysis of the content is most of a start's work; it is kept
	// per content and per build of the program (the analysis is code).
	var analysis *index.Analysis
	apath := buildCachePath(cfg, "analysis-", key, ".bin")
	if apath != "" {
		if b, err := os.ReadFile(apath); err == nil {
			var a index.Analysis
			if a.UnmarshalBinary(b) == nil {
				analysis = &a
			}
		}
	}
	ix, err := index.New(kb, index.Options{Params: p, Model: cached, Analysis: analysis})
	if err != nil {
		return nil, err
	}
	// Best effort: without a writable data directory, the next start
	// trains or analyses again.
	if m := ix.Model(); path != "" && m != cached && !index.IsEmbeddedModel(m) {
		if b, err := json.Marshal(m); err == nil {
			writeCache(cfg.DataDir, path, b, "")
		}
	}
	if a := ix.Analysis(); apath != "" && a != analysis {
		if b, err := a.MarshalBinary(); err == nil {
			writeCache(cfg.DataDir, apath, b, "analysis-")
		}
	}
	return ix, nil
}

// buildID is the Go linker's build ID of this executable, which changes
// with any change to the program; "" when it cannot be read.
var buildID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	// ELF keeps it in a note (Linux, the BSDs); other formats at the start
	// of the text segment, within the first 32 kB (as `go tool buildid`
	// reads them).
	if f, err := elf.Open(exe); err == nil {
		defer f.Close()
		if sec := f.Section(".note.go.buildid"); sec != nil {
			if d, err := sec.Data(); err == nil && len(d) > 16 && string(d[12:16]) == "Go\x00\x00" {
				if n := f.ByteOrder.Uint32(d[4:]); 16+int(n) <= len(d) {
					return string(d[16 : 16+n])
				}
			}
		}
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 32<<10)
	n, _ := io.ReadFull(f, head)
	const prefix, suffix = "\xff Go build ID: \"", "\"\n \xff"
	_, id, ok := bytes.Cut(head[:n], []byte(prefix))
	if id, _, ok = bytes.Cut(id, []byte(suffix)); !ok || len(id) == 0 {
		return ""
	}
	return string(id)
})

// buildCachePath is where a file derived from content key by this build of
// the program is kept under the data directory, "" when there is no data
// directory or no build ID.
func buildCachePath(cfg Config, prefix, key, ext string) string {
	id := buildID()
	if cfg.DataDir == "" || id == "" {
		return ""
	}
	h := sha256.Sum256([]byte(id + "\x00" + key))
	return filepath.Join(cfg.DataDir, prefix+hex.EncodeToString(h[:16])+ext)
}

// writeCache writes b to path atomically (mode 0600; readers see the old file or the
// new one); with a prefix, the other files of that prefix, left by other
// contents or builds, are removed.
func writeCache(dir, path string, b []byte, prefix string) {
	if os.MkdirAll(dir, 0o700) != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
		_ = os.Remove(f.Name())
		return
	}
	if prefix == "" {
		return
	}
	old, _ := filepath.Glob(filepath.Join(dir, prefix+"*"))
	for _, o := range old {
		if o != path {
			_ = os.Remove(o)
		}
	}
}
