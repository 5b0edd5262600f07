package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/index"
)

func init() {
	validators = append(validators, validator{
		kind:       "faq",
		configured: func(c Config) string { return c.FAQDir },
		claims: func(dir string) bool {
			_, err := os.Stat(filepath.Join(dir, faq.DocumentFile))
			return err == nil
		},
		check: func(dir string, _ map[string]string) (string, []string) { return checkFAQ(dir) },
	})
}

// checkFAQ loads dir ("" = the embedded FAQ) and builds its index, so that a
// file that loads but cannot be searched (a broken synonym) is caught too.
func checkFAQ(dir string) (string, []string) {
	kb, err := loadKBDir(dir)
	if dir == "" {
		dir = "FAQ intégrée / embedded FAQ"
	}
	if err != nil {
		var ve *faq.ValidationError
		if errors.As(err, &ve) {
			out := make([]string, len(ve.Problems))
			for i, p := range ve.Problems {
				out[i] = p.String()
			}
			return "", out
		}
		return "", []string{err.Error()}
	}
	if tp := faq.TrainingProblems(kb); len(tp) > 0 {
		out := make([]string, len(tp))
		for i, p := range tp {
			out[i] = p.String()
		}
		return "", out
	}
	ix, err := index.New(kb, index.Options{})
	if err != nil {
		return "", []string{fmt.Sprintf("%s: %v", dir, err)}
	}
	ix.Close()
	return fmt.Sprintf("%s : %d entrées, %d groupes de synonymes / %d entries, %d synonym groups",
		dir, len(kb.Entries), len(kb.Synonyms), len(kb.Entries), len(kb.Synonyms)), nil
}
