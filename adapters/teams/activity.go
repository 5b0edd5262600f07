package teams

import (
	"encoding/json"
	"html"
	"regexp"
	"strings"
)

// Activity is the subset of a Bot Framework activity the bot reads.
type Activity struct {
	Type         string          `json:"type"`
	ID           string          `json:"id"`
	ServiceURL   string          `json:"serviceUrl"`
	ChannelID    string          `json:"channelId"`
	From         Account         `json:"from"`
	Recipient    Account         `json:"recipient"`
	Conversation Conversation    `json:"conversation"`
	Text         string          `json:"text"`
	Locale       string          `json:"locale"`
	ReplyToID    string          `json:"replyToId"`
	Value        json.RawMessage `json:"value"`
	MembersAdded []Account       `json:"membersAdded"`
	Entities     []Entity        `json:"entities"`
	ChannelData  struct {
		Tenant struct {
			ID string `json:"id"`
		} `json:"tenant"`
	} `json:"channelData"`
}

// Entity is an activity entity; the bot reads mentions: Text is the
// "<at>Name</at>" as it appears in the activity's text.
type Entity struct {
	Type      string  `json:"type"`
	Text      string  `json:"text"`
	Mentioned Account `json:"mentioned"`
}

// Account is a user or bot.
type Account struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	AADObjectID string `json:"aadObjectId,omitempty"`
}

// Conversation identifies a personal chat, group chat or channel thread.
type Conversation struct {
	ID               string `json:"id"`
	ConversationType string `json:"conversationType,omitempty"` // personal, groupChat, channel
	TenantID         string `json:"tenantId,omitempty"`
	IsGroup          bool   `json:"isGroup,omitempty"`
}

// outActivity is a message the bot sends.
type outActivity struct {
	Type         string       `json:"type"`
	From         *Account     `json:"from,omitempty"`
	Conversation Conversation `json:"conversation"`
	ReplyToID    string       `json:"replyToId,omitempty"`
	Locale       string       `json:"locale,omitempty"`
	Summary      string       `json:"summary,omitempty"`
	Attachments  []attachment `json:"attachments"`
}

type attachment struct {
	ContentType string `json:"contentType"`
	Content     *card  `json:"content"`
}

// tenant returns the tenant id of the activity, wherever Teams put it.
func (a *Activity) tenant() string {
	if a.ChannelData.Tenant.ID != "" {
		return a.ChannelData.Tenant.ID
	}
	return a.Conversation.TenantID
}

// userID is stable across chats: tenant + Entra object id when Teams gives
// it, the channel account id otherwise.
func (a *Activity) userID() string {
	if a.From.AADObjectID != "" {
		if t := a.tenant(); t != "" {
			return t + ":" + a.From.AADObjectID
		}
		return a.From.AADObjectID
	}
	return a.From.ID
}

// submitAction returns the engine action id of a card submit, if any.
func (a *Activity) submitAction() string {
	if len(a.Value) == 0 {
		return ""
	}
	var v struct {
		Action string `json:"action"`
	}
	if json.Unmarshal(a.Value, &v) != nil {
		return ""
	}
	return v.Action
}

// botAdded reports whether the bot is among the members just added.
func (a *Activity) botAdded() bool {
	for _, m := range a.MembersAdded {
		if m.ID != "" && m.ID == a.Recipient.ID {
			return true
		}
	}
	return false
}

var (
	mentionRe = regexp.MustCompile(`(?is)<at\b[^>]*>(.*?)</at>`)
	tagRe     = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>`)
	spaceRe   = regexp.MustCompile(`[ \t\p{Zs}]+`)
)

// botMentions returns the inner text of each mention of the bot itself (by
// the mention entity's mentioned.id), the names to strip from the text.
func (a *Activity) botMentions() map[string]bool {
	out := map[string]bool{}
	for _, e := range a.Entities {
		if e.Type == "mention" && e.Mentioned.ID != "" && e.Mentioned.ID == a.Recipient.ID {
			out[mentionName(e.Text)] = true
		}
	}
	if len(a.Entities) == 0 && a.Recipient.Name != "" {
		// No entities (an older client): only the bot's own name goes.
		out[strings.TrimSpace(a.Recipient.Name)] = true
	}
	return out
}

// otherMentions are the names of the people the text mentions, the bot
// aside, one per line: the engine redacts them before storing anything.
func (a *Activity) otherMentions() string {
	var out []string
	for _, e := range a.Entities {
		if e.Type == "mention" && e.Mentioned.ID != a.Recipient.ID {
			if n := mentionName(e.Text); n != "" {
				out = append(out, n)
			}
		}
	}
	return strings.Join(out, "\n")
}

// mentionName is the name inside "<at …>Name</at>".
func mentionName(s string) string {
	s = strings.TrimSpace(s)
	if m := mentionRe.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	return strings.TrimSpace(html.UnescapeString(s))
}

// cleanText removes the bot's own @mention (its name in channels) and the
// light HTML Teams adds to formatted messages, keeping the user's words:
// other people's mentions stay as their names (redaction, before anything
// is stored, is the engine's).
func cleanText(s string, bot map[string]bool) string {
	s = mentionRe.ReplaceAllStringFunc(s, func(m string) string {
		name := mentionName(m)
		if bot[name] {
			return " "
		}
		return html.EscapeString(name) // unescaped below with the rest
	})
	s = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n").Replace(s)
	s = tagRe.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(spaceRe.ReplaceAllString(l, " ")); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
