package slack

import (
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/qc-ia/conformbot/conversation"
)

// escapeMrkdwn escapes the three characters Slack's mrkdwn treats as
// control characters; everything else is sent as is.
func escapeMrkdwn(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unescapeMrkdwn turns Slack's entities back into text for the engine.
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// markdownLink matches "[title](url)"; the title cannot hold "]" and the URL
// cannot hold spaces or ")".
var markdownLink = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)\)`)

// toMrkdwn escapes text for a mrkdwn field and turns "[title](url)" into
// Slack's <url|title> when url is http(s); other links keep their title only,
// so that no scheme (javascript:, relative paths) ever becomes clickable.
func toMrkdwn(s string) string {
	locs := markdownLink.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return escapeMrkdwn(s)
	}
	var b strings.Builder
	last := 0
	for _, m := range locs {
		b.WriteString(escapeMrkdwn(s[last:m[0]]))
		title, url := s[m[2]:m[3]], s[m[4]:m[5]]
		lower := strings.ToLower(url)
		if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
			b.WriteString(slackLink(url, title))
		} else {
			b.WriteString(escapeMrkdwn(title))
		}
		last = m[1]
	}
	b.WriteString(escapeMrkdwn(s[last:]))
	return b.String()
}

// slackLink is Slack's <url|title>: inside it, "|" ends the URL and ">"
// ends the link, so both are kept out.
func slackLink(url, title string) string {
	url = strings.NewReplacer("|", "%7C", " ", "%20").Replace(url)
	return "<" + escapeMrkdwn(url) + "|" + escapeMrkdwn(title) + ">"
}

// slackLen counts characters the way Slack's limits do (UTF-16 code units).
var slackLen = conversation.UTF16Len

// splitMrkdwn splits an already-escaped mrkdwn text into chunks of at most
// limit characters, never inside a <url|title> link or an &entity;.
func splitMrkdwn(s string, limit int) []string {
	return conversation.Splitter{Limit: limit, Len: slackLen, CanCut: outsideMarkup}.Split(s)
}

// outsideMarkup reports whether byte i of s is outside a link and an entity.
func outsideMarkup(s string, i int) bool {
	head := s[:i]
	if strings.LastIndexByte(head, '<') > strings.LastIndexByte(head, '>') {
		return false
	}
	amp := strings.LastIndexByte(head, '&')
	return amp < 0 || amp < strings.LastIndexByte(head, ';') || !entity.MatchString(s[amp:])
}

// entity matches the entities escapeMrkdwn writes, at the start of a text.
var entity = regexp.MustCompile(`^&(amp|lt|gt);`)

// shorten fits a plain-text label (button, header) into max characters.
// Labels are interface text, not official content; the full text is always
// shown elsewhere in the message.
func shorten(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if slackLen(s) <= max {
		return s
	}
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > max-1 {
			return strings.TrimSpace(s[:i]) + "…"
		}
	}
	return s
}
