package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// systemd accepts the unit under deploy/ as it is, but for the path of the
// binary, which is the one just built.
func TestSystemdUnitVerifies(t *testing.T) {
	t.Parallel()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed: the systemd unit is not verified")
	}
	unit, err := os.ReadFile(filepath.Join("..", "..", "deploy", "systemd", "conformbot.service"))
	if err != nil {
		t.Fatal(err)
	}
	const path = "/usr/local/bin/conformbot"
	if !strings.Contains(string(unit), "ExecStart="+path+" serve") {
		t.Fatalf("the unit does not run %s serve", path)
	}
	file := filepath.Join(t.TempDir(), "conformbot.service")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(string(unit), path, buildBot(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", file).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
