//go:build tools

// Package deps pins the project's direct dependencies while the packages
// that use them are being written; go mod tidy keeps what a tools-tagged
// file imports. Removed once every import lives in real code.
package deps

import (
	_ "github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/config"
	_ "github.com/blevesearch/bleve/v2/index/scorch"
	_ "github.com/bwmarrin/discordgo"
	_ "github.com/chromedp/chromedp"
	_ "github.com/goccy/go-yaml"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/joho/godotenv"
	_ "github.com/slack-go/slack"
	_ "github.com/slack-go/slack/slackevents"
	_ "github.com/slack-go/slack/slacktest"
	_ "github.com/slack-go/slack/socketmode"
	_ "golang.org/x/text/unicode/norm"
	_ "modernc.org/sqlite"
)
