package slack

import (
	"os"
	"slices"
	"strings"
	"testing"

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
			// (README: edit it when DATA_RETENTION or STORE_UNANSWERED changes).
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
