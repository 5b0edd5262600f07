package slack

import (
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
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
func slackLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// splitMrkdwn splits an already-escaped mrkdwn text into chunks of at most
// limit characters, preferring paragraph, then line, then sentence, then word
// boundaries, never inside a <url|title> link or an &entity;. No character
// is dropped except the separator at which a split happens.
func splitMrkdwn(s string, limit int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if slackLen(s) <= limit {
		return []string{s}
	}
	var out []string
	for _, sep := range []string{"\n\n", "\n"} {
		if strings.Contains(s, sep) {
			return pack(strings.Split(s, sep), sep, limit)
		}
	}
	// One long line: cut after a sentence end if one fits, else at a space,
	// else (a single huge word) at the last safe character.
	for s != "" {
		if slackLen(s) <= limit {
			out = append(out, s)
			break
		}
		cut := safeCut(s, limit)
		out = append(out, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return out
}

// pack joins parts back with sep into chunks within limit; parts that are
// still too long are split further.
func pack(parts []string, sep string, limit int) []string {
	var out []string
	cur := ""
	for _, p := range parts {
		if strings.TrimSpace(p) == "" && sep == "\n\n" {
			continue
		}
		if cur != "" && slackLen(cur)+slackLen(sep)+slackLen(p) <= limit {
			cur += sep + p
			continue
		}
		if cur != "" {
			out = append(out, cur)
			cur = ""
		}
		if slackLen(p) <= limit {
			cur = p
			continue
		}
		sub := splitMrkdwn(p, limit)
		out = append(out, sub[:len(sub)-1]...)
		cur = sub[len(sub)-1]
	}
	if strings.TrimSpace(cur) != "" {
		out = append(out, cur)
	}
	return out
}

// safeCut returns a byte index <= the limit at which s may be split: after
// ". " if possible, else at a space, else at any rune boundary, never inside
// a link (<...>) or an entity (&...;).
func safeCut(s string, limit int) int {
	sentence, space, anyCut := -1, -1, -1
	inLink, inEntity := false, false
	n := 0
	for i, r := range s {
		if n >= limit {
			break
		}
		n += utf16.RuneLen(r)
		switch {
		case r == '<':
			inLink = true
		case r == '>' && inLink:
			inLink = false
		case r == '&':
			inEntity = true
		case r == ';' && inEntity:
			inEntity = false
		}
		end := i + utf8.RuneLen(r)
		if inLink || inEntity || n > limit {
			continue
		}
		anyCut = end
		if r == ' ' {
			space = end
			if i > 0 && strings.ContainsRune(".!?:;", rune(s[i-1])) {
				sentence = end
			}
		}
	}
	switch {
	case sentence > 0 && sentence >= limit/2:
		return sentence
	case space > 0:
		return space
	case anyCut > 0:
		return anyCut
	}
	// A single link longer than the limit: Slack rejects it either way, so
	// split it rather than drop it.
	_, size := utf8.DecodeRuneInString(s)
	return size
}

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
