package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every fuzz target is named in the README and run by CI: .ci/run calls
// .ci/fuzz.sh, which finds the targets with go test -list.
func TestFuzzTargetsDocumentedAndRunInCI(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	var targets []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllSubmatch(b, -1) {
			targets = append(targets, string(m[1]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) < 20 {
		t.Fatalf("found %d fuzz targets: the walk missed some", len(targets))
	}
	for _, name := range targets {
		if !regexp.MustCompile(`\b` + name + `\b`).Match(readme) {
			t.Errorf("README does not name the fuzz target %s", name)
		}
	}
	run, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^FUZZTIME=\d+s \.ci/fuzz\.sh( \|\| echo .*)?$`).Match(run) {
		t.Error(".ci/run does not run .ci/fuzz.sh with a FUZZTIME of a few seconds")
	}
	if _, err := os.Stat(filepath.Join(root, ".ci", "fuzz.sh")); err != nil {
		t.Error(err)
	}
}
