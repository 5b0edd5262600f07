package slack

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"text/template"

	"github.com/qc-ia/conformbot/conversation"
)

// ExampleURL is the public address the checked-in HTTP manifest carries
// until the operator gives theirs.
const ExampleURL = "https://bot.example.gouv.qc.ca"

// ManifestInfo is what an app manifest says that depends on the
// deployment.
type ManifestInfo struct {
	Command string // default DefaultCommand
	// BaseURL is the public https address in front of BOT_ADDR (HTTP mode);
	// empty: Socket Mode, no URL.
	BaseURL string
	Kept    conversation.Kept // what the long description says is kept
}

// Manifest is the Slack app manifest (YAML) for info: the command, the
// scopes, events and interactivity the adapter serves, and the privacy
// notice of the configuration, so that it says what this deployment keeps.
// deploy/slack/*.yml are its output for the defaults.
func Manifest(info ManifestInfo) ([]byte, error) {
	if info.Command == "" {
		info.Command = DefaultCommand
	}
	if !strings.HasPrefix(info.Command, "/") || len(info.Command) < 2 || len(info.Command) > 32 ||
		strings.ContainsAny(info.Command, " \t\r\n\"'") || strings.ToLower(info.Command) != info.Command {
		return nil, fmt.Errorf("commande %q : « / » suivi de 1 à 31 minuscules, sans espace / command %q: \"/\" then 1 to 31 lower-case characters, no space", info.Command, info.Command)
	}
	base := strings.TrimSuffix(info.BaseURL, "/")
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(base, " \"'") {
			return nil, fmt.Errorf("adresse %q : https://hôte[/chemin] attendu / URL %q: expected https://host[/path]", info.BaseURL, info.BaseURL)
		}
	}
	var b bytes.Buffer
	err := manifestTmpl.Execute(&b, map[string]any{
		"Command": info.Command, "URL": base, "Example": base == ExampleURL,
		"PrivacyFR": conversation.PrivacyNotice("fr", info.Kept), "PrivacyEN": conversation.PrivacyNotice("en", info.Kept),
	})
	return b.Bytes(), err
}

var manifestTmpl = template.Must(template.New("manifest").Parse(`{{if .URL -}}
# Slack app manifest, HTTP mode (Events API over a public HTTPS URL).
# Create the app at https://api.slack.com/apps → "Create New App" → "From a manifest",
{{- if .Example}}
# paste this file after replacing every {{.URL}} with your public
# host (a reverse proxy or tunnel in front of BOT_ADDR), or paste the output of
# bot slack-manifest --url https://your.host. No public URL? Use
{{- else}}
# paste this file. No public URL? Use
{{- end}}
# manifest-socket-mode.yml instead. See README, "Install on Slack".
{{- else -}}
# Slack app manifest, Socket Mode: Slack talks to the bot over a WebSocket the bot opens,
# so no public URL is needed (try it from a laptop). Create the app from this manifest,
# then "Basic Information" → "App-Level Tokens" → generate one with connections:write
# (SLACK_APP_TOKEN=xapp-…). See README, "Install on Slack".
{{- end}}
# Written by bot slack-manifest{{if .URL}} --url{{else}} --socket-mode{{end}} from the settings (SLACK_COMMAND,
# DATA_RETENTION, SESSION_TTL, STORE_UNANSWERED, LOG_MESSAGE_TEXT): write it again when they change.
_metadata:
  major_version: 2
  minor_version: 1
display_information:
  name: ConformBot IA
  description: "Directive IA-RI-2025-001-OP : FAQ officielle et vérification d'admissibilité / official FAQ and eligibility check"
  background_color: "#095797"
  long_description: |
    Répond aux questions sur l'indication d'application IA-RI-2025-001-OP en citant mot pour mot la FAQ officielle du MCN (18 mars 2025), avec sa source, et vérifie en quelques questions si un usage est permis. Tapez {{.Command}} suivi de votre question, {{.Command}} admissibilite ou {{.Command}} aide.
    Answers questions on directive IA-RI-2025-001-OP by quoting the official MCN FAQ word for word, with its source, and runs an eligibility check. Type {{.Command}} and your question, {{.Command}} admissibilite or {{.Command}} aide.
    {{.PrivacyFR}}
    {{.PrivacyEN}}
features:
  app_home:
    home_tab_enabled: false
    messages_tab_enabled: true
    messages_tab_read_only_enabled: false
  bot_user:
    display_name: ConformBot IA
    always_online: true
  slash_commands:
    - command: {{.Command}}
{{- if .URL}}
      url: {{.URL}}/slack/commands
{{- end}}
      description: "Question sur la directive IA / Question on the AI directive"
      usage_hint: "[question] | admissibilite | abonner | aide"
      should_escape: false
oauth_config:
  scopes:
    bot:
      - commands
      - chat:write
      - app_mentions:read
      - im:history
      - im:read
      - im:write
settings:
  event_subscriptions:
{{- if .URL}}
    request_url: {{.URL}}/slack/events
{{- end}}
    bot_events:
      - app_mention
      - message.im
  interactivity:
    is_enabled: true
{{- if .URL}}
    request_url: {{.URL}}/slack/interactions
{{- end}}
  org_deploy_enabled: false
  socket_mode_enabled: {{if .URL}}false{{else}}true{{end}}
  token_rotation_enabled: false
`))
