package slack

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/qc-ia/conformbot/conversation"
)

// The app manifests must ask for what the adapter serves: the command, the
// scopes, the two events, interactivity, and (HTTP) the three routes.
func TestManifests(t *testing.T) {
	t.Parallel()
	type manifest struct {
		Display struct {
			LongDescription string `yaml:"long_description"`
		} `yaml:"display_information"`
		Features struct {
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled    bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	for _, c := range []struct {
		file   string
		socket bool
	}{{"manifest.yml", false}, {"manifest-socket-mode.yml", true}} {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile("../../deploy/slack/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			var m manifest
			if err := yaml.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			// The same promise as the Teams app and the web page, for the defaults
			// (bot slack-manifest writes it for other settings).
			for _, lang := range []string{"fr", "en"} {
				if n := conversation.PrivacyNotice(lang, conversation.DefaultKept); !strings.Contains(m.Display.LongDescription, n) {
					t.Errorf("long_description lacks the %s privacy notice %q", lang, n)
				}
			}
			scopes := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
			want := []string{"app_mentions:read", "chat:write", "commands", "im:history", "im:read", "im:write"}
			if !slices.Equal(scopes, want) {
				t.Errorf("scopes %v, want %v", scopes, want)
			}
			if ev := slices.Sorted(slices.Values(m.Settings.Events.BotEvents)); !slices.Equal(ev, []string{"app_mention", "message.im"}) {
				t.Errorf("events %v", ev)
			}
			if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != DefaultCommand {
				t.Errorf("slash commands %+v, want %s", m.Features.SlashCommands, DefaultCommand)
			}
			if !m.Settings.Interactivity.Enabled || m.Settings.SocketMode != c.socket {
				t.Errorf("interactivity %v, socket mode %v", m.Settings.Interactivity.Enabled, m.Settings.SocketMode)
			}
			if c.socket {
				return
			}
			for url, path := range map[string]string{
				m.Features.SlashCommands[0].URL:     "/slack/commands",
				m.Settings.Events.RequestURL:        "/slack/events",
				m.Settings.Interactivity.RequestURL: "/slack/interactions",
			} {
				if !strings.HasPrefix(url, "https://") || !strings.HasSuffix(url, path) {
					t.Errorf("URL %q, want https://…%s", url, path)
				}
			}
		})
	}
}

// The checked-in manifests are Manifest's output for the defaults, so
// they cannot drift from what bot slack-manifest writes.
func TestManifestFilesAreGenerated(t *testing.T) {
	t.Parallel()
	for file, base := range map[string]string{"manifest.yml": ExampleURL, "manifest-socket-mode.yml": ""} {
		want, err := os.ReadFile("../../deploy/slack/" + file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Manifest(ManifestInfo{BaseURL: base, Kept: conversation.DefaultKept})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("deploy/slack/%s is not Manifest's output for the defaults: run\n  go run ./cmd/bot slack-manifest %s > deploy/slack/%s\ngot:\n%s", file,
				map[bool]string{true: "--url " + ExampleURL, false: "--socket-mode"}[base != ""], file, got)
		}
	}
}

// A deployment's settings reach its manifest: retention, session TTL,
// STORE_UNANSWERED=off, the command and the public URL.
func TestManifestFollowsSettings(t *testing.T) {
	t.Parallel()
	kept := conversation.Kept{Unanswered: false, Retention: 90 * 24 * time.Hour, SessionTTL: 2 * time.Hour}
	b, err := Manifest(ManifestInfo{Command: "/conformite", BaseURL: "https://ia.mcn.gouv.qc.ca/bot/", Kept: kept})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Display struct {
			LongDescription string `yaml:"long_description"`
		} `yaml:"display_information"`
		Features struct {
			SlashCommands []struct{ Command, URL string } `yaml:"slash_commands"`
		} `yaml:"features"`
		Settings struct {
			Events struct {
				RequestURL string `yaml:"request_url"`
			} `yaml:"event_subscriptions"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	for _, lang := range []string{"fr", "en"} {
		if n := conversation.PrivacyNotice(lang, kept); !strings.Contains(m.Display.LongDescription, n) {
			t.Errorf("long_description lacks the %s notice %q", lang, n)
		}
	}
	for _, w := range []string{"90 jours", "90 days", "2 heures", "Tapez /conformite suivi"} {
		if !strings.Contains(m.Display.LongDescription, w) {
			t.Errorf("long_description lacks %q:\n%s", w, m.Display.LongDescription)
		}
	}
	if strings.Contains(m.Display.LongDescription, "questions restées sans réponse") {
		t.Error("STORE_UNANSWERED=off, yet the manifest says unanswered questions are kept")
	}
	if len(m.Display.LongDescription) > 4000 {
		t.Errorf("long_description is %d characters; Slack takes 4,000", len(m.Display.LongDescription))
	}
	if c := m.Features.SlashCommands; len(c) != 1 || c[0].Command != "/conformite" || c[0].URL != "https://ia.mcn.gouv.qc.ca/bot/slack/commands" {
		t.Errorf("slash command %+v", c)
	}
	if m.Settings.Events.RequestURL != "https://ia.mcn.gouv.qc.ca/bot/slack/events" {
		t.Errorf("events URL %q", m.Settings.Events.RequestURL)
	}
	for _, bad := range []ManifestInfo{{Command: "ia"}, {Command: "/IA"}, {Command: "/ia aide"}, {BaseURL: "http://bot.example"},
		{BaseURL: "https://"}, {BaseURL: "https://x.example/?a=b"}, {BaseURL: "https://x.example/\"\n  evil: 1"}} {
		if _, err := Manifest(bad); err == nil {
			t.Errorf("Manifest(%+v) accepted", bad)
		}
	}
}
