package main

import (
	"bytes"
	"context"
	"encoding/gob"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/faq"
)

func cacheFiles(t *testing.T, dir, prefix string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, prefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The parsed FAQ and its analysis are kept in the data directory and read
// back the same at the next start.
func TestContentCache(t *testing.T) {
	t.Parallel()
	if buildID() == "" {
		t.Fatal("no build ID in the test binary: nothing would be cached")
	}
	cfg := Config{DataDir: t.TempDir()}
	parsed, err := faq.Default()
	if err != nil {
		t.Fatal(err)
	}
	first, err := loadKB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	kbFiles := cacheFiles(t, cfg.DataDir, "faq-")
	if len(kbFiles) != 1 {
		t.Fatalf("FAQ cache files: %v, want one", kbFiles)
	}
	again, err := loadKB(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, parsed) || !reflect.DeepEqual(again, parsed) {
		t.Fatal("the FAQ read from the cache differs from the parsed one")
	}
	if st, err := os.Stat(kbFiles[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode: %v %v, want 0600", st.Mode(), err)
	}

	// The cache is what the next start reads: a file changed there shows.
	changed := *parsed
	changed.Entries = append([]faq.Entry{}, parsed.Entries...)
	changed.Entries[0].Answer = "réponse du cache"
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&changed); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kbFiles[0], b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if kb, err := loadKB(cfg); err != nil || kb.Entries[0].Answer != "réponse du cache" {
		t.Errorf("the FAQ cache was not read: %v", err)
	}
	// A damaged file is parsed again and replaced.
	if err := os.WriteFile(kbFiles[0], []byte("not gob"), 0o600); err != nil {
		t.Fatal(err)
	}
	if kb, err := loadKB(cfg); err != nil || !reflect.DeepEqual(kb, parsed) {
		t.Errorf("damaged FAQ cache: %v", err)
	}

	ask := func() askOutput {
		t.Helper()
		a, err := newAsker(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.close()
		out, _, _ := a.ask(context.Background(), "Bonjour, est-ce que je peux encore utiliser ChatGPT au bureau ?", "fr")
		return out
	}
	fresh := ask()
	an := cacheFiles(t, cfg.DataDir, "analysis-")
	if len(an) != 1 {
		t.Fatalf("analysis cache files: %v, want one", an)
	}
	if got := ask(); !reflect.DeepEqual(got, fresh) {
		t.Errorf("from the cached analysis %+v, fresh %+v", got, fresh)
	}
	if err := os.WriteFile(an[0], []byte("conformbot-analysis-1\n\xff"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := ask(); !reflect.DeepEqual(got, fresh) {
		t.Errorf("after a damaged analysis file %+v, fresh %+v", got, fresh)
	}
	if b, err := os.ReadFile(an[0]); err != nil || len(b) < 100 {
		t.Errorf("the damaged analysis file was not replaced (%d bytes, %v)", len(b), err)
	}
}

// An edit of FAQ_DIR is read at the next start, never an old copy; the old
// copies are removed.
func TestContentCacheFollowsEdits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(answer string) {
		t.Helper()
		files := map[string]string{
			"document.yaml": "title: Test\nissuer: MCN\nreference: TEST-1\ndate: 2026-01-01\n",
			"cafe.yaml":     "id: cafe\nquestion: OÙ EST LE CAFÉ ?\nanswer: " + answer + "\nalternates: [la cafétéria est où]\n",
			"parking.yaml":  "id: parking\nquestion: OÙ SE GARER ?\nanswer: Stationnement P2.\nalternates: [où stationner ma voiture]\n",
		}
		for n, b := range files {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg := Config{DataDir: t.TempDir(), FAQDir: dir}
	for _, answer := range []string{"Au 3e étage.", "Au 2e étage, près des ascenseurs.", "Au 3e étage."} {
		write(answer)
		out := askJSON(t, cfg, "où est le café")
		if out.Answer == nil || *out.Answer != answer {
			t.Errorf("after the edit to %q: %+v", answer, out)
		}
		for _, prefix := range []string{"faq-", "analysis-"} {
			if n := len(cacheFiles(t, cfg.DataDir, prefix)); n != 1 {
				t.Errorf("%s files: %d, want 1", prefix, n)
			}
		}
	}
	if tmp := cacheFiles(t, cfg.DataDir, ".tmp"); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	if _, err := loadKB(Config{DataDir: cfg.DataDir, FAQDir: filepath.Join(dir, "missing")}); err == nil || !strings.Contains(err.Error(), "FAQ_DIR=") {
		t.Errorf("missing FAQ_DIR: %v", err)
	}
}
