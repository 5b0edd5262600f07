package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bot slack-manifest writes what this configuration keeps and its
// command, as a new operator runs it after changing DATA_RETENTION.
func TestSlackManifestCommand(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // no stray .env
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		want     []string // in the manifest
		wantErr  string
	}{
		{name: "defaults, socket mode", args: []string{"--socket-mode"}, wantCode: exitOK,
			want: []string{"pendant 30 jours", "for 30 days", "socket_mode_enabled: true", "command: /ia"}},
		{name: "retention and command", env: map[string]string{"DATA_RETENTION": "2160h", "SESSION_TTL": "1h", "SLACK_COMMAND": "/conformite"},
			args: []string{"--url", "https://ia.example.gouv.qc.ca"}, wantCode: exitOK,
			want: []string{"pendant 90 jours", "for 90 days", "jusqu'à 1 heure d'inactivité", "command: /conformite",
				"url: https://ia.example.gouv.qc.ca/slack/commands", "socket_mode_enabled: false"}},
		{name: "nothing unanswered kept", env: map[string]string{"STORE_UNANSWERED": "off"}, args: []string{"--socket-mode"}, wantCode: exitOK,
			want: []string{"Le texte de vos messages n'est ni conservé"}},
		{name: "to a file", args: []string{"--socket-mode", "-o", "m.yml"}, wantCode: exitOK},
		{name: "neither mode", wantCode: exitUsage, wantErr: "--socket-mode"},
		{name: "both modes", args: []string{"--socket-mode", "--url", "https://x.example"}, wantCode: exitUsage, wantErr: "pas les deux"},
		{name: "http URL", args: []string{"--url", "http://x.example"}, wantCode: exitUsage, wantErr: "https://"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"DATA_RETENTION", "SESSION_TTL", "SLACK_COMMAND", "STORE_UNANSWERED"} {
				t.Setenv(k, c.env[k])
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"slack-manifest"}, c.args...), strings.NewReader(""), &stdout, &stderr)
			if code != c.wantCode {
				t.Fatalf("exit = %d, want %d; stderr: %s", code, c.wantCode, stderr.String())
			}
			if c.wantErr != "" && !strings.Contains(stderr.String(), c.wantErr) {
				t.Errorf("stderr = %q, want it to mention %q", stderr.String(), c.wantErr)
			}
			got := stdout.String()
			if strings.Contains(strings.Join(c.args, " "), "-o m.yml") {
				b, err := os.ReadFile(filepath.Join(dir, "m.yml"))
				if err != nil || !strings.Contains(string(b), "_metadata:") {
					t.Fatalf("m.yml: %v\n%s", err, b)
				}
				return
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("manifest lacks %q:\n%s", w, got)
				}
			}
		})
	}
}
