package main

import (
	"os"
	"testing"

	"github.com/qc-ia/conformbot/internal/pgtest"
)

// TestMain starts a throwaway PostgreSQL when TEST_DATABASE_URL is unset
// and PostgreSQL is installed (see pgtest.Main).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
