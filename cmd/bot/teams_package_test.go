package main

import (
	"archive/zip"
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestTeamsPackageCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // no stray .env, and the default output lands here
	cases := []struct {
		name     string
		appID    string
		args     []string
		wantCode int
		wantErr  string
		wantFile string
	}{
		{"no app id", "", nil, exitUsage, "TEAMS_APP_ID", ""},
		{"not a GUID", "abc", nil, exitUsage, "GUID", ""},
		{"default file", "11111111-2222-3333-4444-555555555555", nil, exitOK, "", "teams-app.zip"},
		{"-o", "11111111-2222-3333-4444-555555555555", []string{"-o", "x.zip"}, exitOK, "", "x.zip"},
		{"extra argument", "11111111-2222-3333-4444-555555555555", []string{"extra"}, exitUsage, "usage", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("TEAMS_APP_ID", c.appID)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"teams-package"}, c.args...), strings.NewReader(""), &stdout, &stderr)
			if code != c.wantCode {
				t.Fatalf("exit = %d, want %d; stderr: %s", code, c.wantCode, stderr.String())
			}
			if c.wantErr != "" && !strings.Contains(stderr.String(), c.wantErr) {
				t.Errorf("stderr = %q, want it to mention %s", stderr.String(), c.wantErr)
			}
			if c.wantFile == "" {
				return
			}
			zr, err := zip.OpenReader(filepath.Join(dir, c.wantFile))
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
			}
			if got := strings.Join(names, ","); got != "manifest.json,en-us.json,color.png,outline.png" {
				t.Errorf("zip holds %s", got)
			}
		})
	}
}
