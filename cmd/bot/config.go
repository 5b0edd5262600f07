package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/qc-ia/conformbot/adapters/web"
	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/internal/ratelimit"
)

// Config is every setting of the bot. It is read once, here, from the
// environment and an optional .env file; other packages get values, never
// the environment.
type Config struct {
	// Content
	FAQDir   string // FAQ_DIR: replaces the embedded FAQ
	RulesDir string // RULES_DIR: replaces the embedded rules

	// Search thresholds (empty: the index package's measured defaults)
	AnswerThreshold    float64 // SEARCH_ANSWER_THRESHOLD
	AmbiguousThreshold float64 // SEARCH_AMBIGUOUS_THRESHOLD

	// Runtime
	Addr            string        // BOT_ADDR, default 127.0.0.1:8080
	DataDir         string        // BOT_DATA_DIR, default ./data
	DatabaseURL     string        // DATABASE_URL: PostgreSQL shared by replicas; empty: SQLite in DataDir
	MetricsAddr     string        // METRICS_ADDR: Prometheus /metrics listener; empty: off
	MetricsToken    string        // METRICS_TOKEN: bearer token /metrics requires, if set
	ReplicaID       string        // REPLICA_ID: this replica's name in leases and logs; default host-pid-random
	SessionTTL      time.Duration // SESSION_TTL, default 30m
	Retention       time.Duration // DATA_RETENTION, default 720h (30 days)
	EscalationEmail string        // ESCALATION_EMAIL
	LogMessageText  bool          // LOG_MESSAGE_TEXT: operator opt-in; off by default
	KeepUnanswered  bool          // STORE_UNANSWERED: redacted (default) or off
	Debug           bool          // BOT_DEBUG
	GCPercent       int           // GOGC for bot serve, default DefaultGCPercent; off: -1

	// Rate limits of the web chat's /api/chat (RATE_LIMIT_SESSION[_BURST],
	// RATE_LIMIT_ADDRESS[_BURST]), and the reverse proxies whose
	// X-Forwarded-For names the client (TRUSTED_PROXIES).
	RateSession    ratelimit.Limit
	RateAddress    ratelimit.Limit
	TrustedProxies ratelimit.Proxies
	// RATE_LIMIT_USER[_BURST]: each person on Slack, Teams or Discord.
	RateUser ratelimit.Limit

	// Slack
	SlackBotToken      string // SLACK_BOT_TOKEN
	SlackSigningSecret string // SLACK_SIGNING_SECRET
	SlackAppToken      string // SLACK_APP_TOKEN (Socket Mode)
	SlackCommand       string // SLACK_COMMAND, default /ia
	SlackAPIURL        string // SLACK_API_URL

	// Microsoft Teams
	TeamsAppID       string // TEAMS_APP_ID
	TeamsAppPassword string // TEAMS_APP_PASSWORD
	TeamsTenantID    string // TEAMS_TENANT_ID
	TeamsOpenIDURL   string // TEAMS_OPENID_URL
	TeamsTokenURL    string // TEAMS_TOKEN_URL

	// Discord
	DiscordBotToken  string // DISCORD_BOT_TOKEN
	DiscordAppID     string // DISCORD_APP_ID
	DiscordGuildID   string // DISCORD_GUILD_ID
	DiscordPublicKey string // DISCORD_PUBLIC_KEY (hex)
	DiscordAPIURL    string // DISCORD_API_URL: REST calls through another host (a proxy); "" Discord
}

// Defaults. The session TTL and the escalation address default to the
// engine's own (conversation.DefaultSessionTTL, DefaultEscalationEmail).
const (
	DefaultAddr           = "127.0.0.1:8080"
	DefaultDataDir        = "./data"
	DefaultSlackCommand   = "/ia"
	DefaultRetention      = conversation.DefaultRetention
	DefaultTeamsOpenIDURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	DefaultTeamsTokenURL  = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
	DefaultSlackAPIURL    = "https://slack.com/api/"
	// DefaultGCPercent: bot serve's live heap is about 10 MB, so Go's
	// default of 100 collects after every 10 MB allocated, and collection
	// then takes about a quarter of the CPU of an answer. 400 lets the heap
	// reach about 50 MB between collections.
	DefaultGCPercent = 400
)

// LoadConfig reads .env (if present; real environment variables win) and
// then the variables through lookup.
func LoadConfig(lookup func(string) (string, bool)) (Config, error) {
	// A missing .env is normal: defaults need no file.
	_ = godotenv.Load()
	get := func(k, def string) string {
		if v, ok := lookup(k); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	var errs []string
	dur := func(k string, def time.Duration) time.Duration {
		v := get(k, "")
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s=%q: durée attendue / expected a duration such as 30m", k, v))
			return def
		}
		return d
	}
	boolean := func(k string) bool {
		v := get(k, "")
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q: true ou false attendu / expected true or false", k, v))
		}
		return b
	}
	float := func(k string) float64 {
		v := get(k, "")
		if v == "" {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			errs = append(errs, fmt.Sprintf("%s=%q: nombre entre 0 et 1 attendu / expected a number between 0 and 1", k, v))
			return 0
		}
		return f
	}
	c := Config{
		FAQDir:             get("FAQ_DIR", ""),
		RulesDir:           get("RULES_DIR", ""),
		AnswerThreshold:    float("SEARCH_ANSWER_THRESHOLD"),
		AmbiguousThreshold: float("SEARCH_AMBIGUOUS_THRESHOLD"),
		Addr:               get("BOT_ADDR", DefaultAddr),
		DataDir:            get("BOT_DATA_DIR", DefaultDataDir),
		DatabaseURL:        get("DATABASE_URL", ""),
		MetricsAddr:        get("METRICS_ADDR", ""),
		MetricsToken:       get("METRICS_TOKEN", ""),
		ReplicaID:          get("REPLICA_ID", ""),
		SessionTTL:         dur("SESSION_TTL", conversation.DefaultSessionTTL),
		Retention:          dur("DATA_RETENTION", DefaultRetention),
		EscalationEmail:    get("ESCALATION_EMAIL", conversation.DefaultEscalationEmail),
		LogMessageText:     boolean("LOG_MESSAGE_TEXT"),
		KeepUnanswered:     true,
		Debug:              boolean("BOT_DEBUG"),
		SlackBotToken:      get("SLACK_BOT_TOKEN", ""),
		SlackSigningSecret: get("SLACK_SIGNING_SECRET", ""),
		SlackAppToken:      get("SLACK_APP_TOKEN", ""),
		SlackCommand:       get("SLACK_COMMAND", DefaultSlackCommand),
		SlackAPIURL:        get("SLACK_API_URL", DefaultSlackAPIURL),
		TeamsAppID:         get("TEAMS_APP_ID", ""),
		TeamsAppPassword:   get("TEAMS_APP_PASSWORD", ""),
		TeamsTenantID:      get("TEAMS_TENANT_ID", ""),
		TeamsOpenIDURL:     get("TEAMS_OPENID_URL", DefaultTeamsOpenIDURL),
		TeamsTokenURL:      get("TEAMS_TOKEN_URL", DefaultTeamsTokenURL),
		DiscordBotToken:    get("DISCORD_BOT_TOKEN", ""),
		DiscordAppID:       get("DISCORD_APP_ID", ""),
		DiscordGuildID:     get("DISCORD_GUILD_ID", ""),
		DiscordPublicKey:   get("DISCORD_PUBLIC_KEY", ""),
		DiscordAPIURL:      get("DISCORD_API_URL", ""),
	}
	c.GCPercent = DefaultGCPercent
	if v := get("GOGC", ""); strings.EqualFold(v, "off") {
		c.GCPercent = -1
	} else if v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("GOGC=%q: entier positif ou off attendu / expected a positive integer or off", v))
		} else {
			c.GCPercent = n
		}
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, "DATABASE_URL: postgres://utilisateur:motdepasse@hôte:5432/base attendu / expected postgres://user:password@host:5432/db")
	}
	switch v := strings.ToLower(get("STORE_UNANSWERED", "redacted")); v {
	case "redacted":
	case "off":
		c.KeepUnanswered = false
	default:
		errs = append(errs, fmt.Sprintf("STORE_UNANSWERED=%q: redacted ou off attendu / expected redacted or off", v))
	}
	limit := func(k string, def ratelimit.Limit) ratelimit.Limit {
		l := def
		if v := get(k, ""); v != "" {
			var err error
			if l, err = ratelimit.ParseLimit(v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: nombre/durée (p. ex. 60/1m) ou off attendu / expected count/duration (such as 60/1m) or off", k, v))
				return def
			}
			if l.Off() {
				return l
			}
			l.Burst = l.Events // a quiet client may send the period's allowance at once
		}
		if v := get(k+"_BURST", ""); v != "" && !l.Off() {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				errs = append(errs, fmt.Sprintf("%s_BURST=%q: entier positif attendu / expected a positive integer", k, v))
				return l
			}
			l.Burst = n
		}
		return l
	}
	c.RateSession = limit("RATE_LIMIT_SESSION", web.DefaultSessionLimit)
	c.RateAddress = limit("RATE_LIMIT_ADDRESS", web.DefaultAddressLimit)
	c.RateUser = limit("RATE_LIMIT_USER", DefaultUserLimit)
	if v := get("TRUSTED_PROXIES", ""); v != "" {
		p, err := ratelimit.ParsePrefixes(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("TRUSTED_PROXIES: %v (adresses ou préfixes CIDR séparés par des virgules / comma-separated addresses or CIDR prefixes)", err))
		}
		c.TrustedProxies = p
	}
	if !strings.HasPrefix(c.SlackCommand, "/") {
		errs = append(errs, fmt.Sprintf("SLACK_COMMAND=%q: doit commencer par « / » / must start with /", c.SlackCommand))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return c, nil
}

// DefaultUserLimit is a chat platform user's: the pace of the web chat's
// sessions (a person, one message at a time).
var DefaultUserLimit = web.DefaultSessionLimit

// WebLimits are the web chat's rate limits.
func (c Config) WebLimits() web.Limits {
	return web.Limits{Session: c.RateSession, Address: c.RateAddress, Proxies: c.TrustedProxies}
}

// Kept is what this configuration stores, for the privacy notices.
func (c Config) Kept() conversation.Kept {
	return conversation.Kept{Unanswered: c.KeepUnanswered, Retention: c.Retention, SessionTTL: c.SessionTTL, LogText: c.LogMessageText}
}
