package main

import (
	"os"
	"testing"

	"github.com/qc-ia/conformbot/internal/pgtest"
)

// TestMain starts a throwaway PostgreSQL when TEST_DATABASE_URL is unset
// and PostgreSQL is installed (see pgtest.Main). Commands run through run()
// keep their caches in a temporary BOT_DATA_DIR, not in ./data of the
// source tree.
func TestMain(m *testing.M) {
	if _, set := os.LookupEnv("BOT_DATA_DIR"); !set {
		dir, err := os.MkdirTemp("", "bot-test-data-")
		if err == nil {
			os.Setenv("BOT_DATA_DIR", dir)
			code := pgtest.Main(m)
			os.RemoveAll(dir)
			os.Exit(code)
		}
	}
	os.Exit(pgtest.Main(m))
}
