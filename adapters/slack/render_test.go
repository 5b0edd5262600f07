package slack

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
)

func TestToMrkdwn(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"a & b < c > d", "a &amp; b &lt; c &gt; d"},
		{"voir [le guide](https://quebec.ca/a?b=1&c=2)", "voir <https://quebec.ca/a?b=1&amp;c=2|le guide>"},
		{"[HTTP](http://x.ca)", "<http://x.ca|HTTP>"},
		{"[script](javascript:alert(1))", "script)"},
		{"[écrire](mailto:a@b.ca)", "écrire"},
		{"[relatif](/chemin)", "relatif"},
		{"[a <b>](https://x.ca/p|q)", "<https://x.ca/p%7Cq|a &lt;b&gt;>"},
		{"pas de [lien] (ici)", "pas de [lien] (ici)"},
		{"<@U123> &amp;", "&lt;@U123&gt; &amp;amp;"},
	}
	for _, c := range cases {
		if got := toMrkdwn(c.in); got != c.want {
			t.Errorf("toMrkdwn(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitMrkdwn(t *testing.T) {
	t.Parallel()
	link := "<https://www.quebec.ca/" + strings.Repeat("x", 40) + "|lien>"
	cases := []struct {
		name  string
		in    string
		limit int
	}{
		{"paragraphs", strings.Repeat("Un paragraphe assez long pour compter.\n\n", 50), 200},
		{"lines", strings.Repeat("- un point de liste\n", 100), 120},
		{"one long line", strings.Repeat("Une phrase. Une autre phrase, un peu plus longue. ", 60), 300},
		{"links and entities never split", strings.Repeat("mot &amp; "+link+" ", 80), 100},
		{"one huge word", strings.Repeat("é", 700), 256},
		{"emoji count double", strings.Repeat("🙂 ", 400), 101},
		// Invalid UTF-8 longer than a section once panicked (slice bounds out of range).
		{"invalid UTF-8 continuation bytes", strings.Repeat("\x80", maxSectionText+1), maxSectionText},
		{"invalid UTF-8 lead bytes", strings.Repeat("\xff\xe2\x82", maxSectionText), maxSectionText},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			parts := splitMrkdwn(c.in, c.limit)
			if len(parts) < 2 {
				t.Fatalf("%d parts, want a split", len(parts))
			}
			for _, p := range parts {
				if n := slackLen(p); n > c.limit {
					t.Errorf("part of %d > %d characters", n, c.limit)
				}
				if strings.Count(p, "<") != strings.Count(p, ">") {
					t.Errorf("link cut: %q", p)
				}
				if i, j := strings.LastIndex(p, "&"), strings.LastIndex(p, ";"); i > j {
					t.Errorf("entity cut: %q", p)
				}
			}
			norm := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if got, want := norm(strings.Join(parts, "")), norm(c.in); got != want {
				t.Errorf("text lost: %d chars, want %d", len(got), len(want))
			}
		})
	}
}

func TestRenderLimits(t *testing.T) {
	t.Parallel()
	var texts []string
	for range 120 {
		texts = append(texts, "Un paragraphe.")
	}
	var actions []conversation.Action
	for i := range 30 {
		actions = append(actions, conversation.Action{ID: "a", Label: strings.Repeat("Étiquette ", 10) + string(rune('A'+i))})
	}
	r := conversation.Reply{Lang: conversation.LangEN, Text: texts, Actions: actions,
		Suggestions: []conversation.Suggestion{{Question: strings.Repeat("Une très longue question ", 10) + "?", Action: conversation.Action{ID: "s1"}}},
		Escalation:  &conversation.Escalation{Email: "a@b.ca", Subject: "Objet", Body: "Bonjour,\nma question", Mailto: "mailto:a@b.ca?body=" + strings.Repeat("x", 4000)},
	}
	msgs := render(r, renderOptions{owner: "abc"})
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3 (124 blocks)", len(msgs))
	}
	seen := map[string]bool{}
	for i, m := range msgs {
		if len(m.Blocks) > maxBlocks {
			t.Errorf("message %d: %d blocks", i, len(m.Blocks))
		}
		j, _ := json.Marshal(m.Blocks)
		var blocks []map[string]any
		_ = json.Unmarshal(j, &blocks)
		ids := map[string]bool{}
		for _, b := range buttons(blocks) {
			if slackLen(b.Text) > maxButtonText || len(b.URL) > maxButtonURL {
				t.Errorf("button over Slack's limits: %+v", b)
			}
			if ids[b.ActionID] {
				t.Errorf("duplicate action_id %q in one message", b.ActionID)
			}
			ids[b.ActionID] = true
			seen[b.Value] = true
			if b.URL != "" {
				t.Errorf("mailto rendered as a url button: %q", b.URL[:40])
			}
		}
		if i > 0 && !strings.HasSuffix(m.Text, "(continued)") {
			t.Errorf("fallback of part %d = %q", i, m.Text)
		}
	}
	if last := msgs[len(msgs)-1]; !strings.Contains(string(mustJSON(last.Blocks)), "<mailto:a@b.ca|Write to the MCN>") {
		t.Errorf("long mailto not reduced to the address")
	}
	if !seen["a"] || !seen["s1"] {
		t.Errorf("engine ids not carried in values: %v", seen)
	}
	if kind, owner := parseBlockID("act.abc.a7"); kind != actionBlock || owner != "abc" {
		t.Errorf("parseBlockID = %q %q", kind, owner)
	}
}

func TestRenderEnglishLabels(t *testing.T) {
	t.Parallel()
	r := conversation.Reply{Lang: conversation.LangEN, Verdict: &conversation.Verdict{Title: "Out of scope", ToVerify: []string{"x"},
		Citations: []conversation.Citation{{Question: "Q?"}}}}
	m := render(r, renderOptions{shareToken: "t"})
	j, _ := json.Marshal(m[0].Blocks)
	s := string(j)
	for _, w := range []string{"To verify:", "References (FAQ):", "Share in the channel"} {
		if !strings.Contains(s, w) {
			t.Errorf("English rendering lacks %q", w)
		}
	}
}

func mustJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return b.Bytes()
}

// A verdict reads at a glance: the mark and headline, the conclusion, the
// answers as fields, the references and the source line.
func TestRenderVerdictParts(t *testing.T) {
	t.Parallel()
	r := adaptertest.Verdict(t, "fr-CA", adaptertest.Suspended)
	v := r.Verdict
	msgs := render(r, renderOptions{owner: "abc"})
	var all []map[string]any
	for _, m := range msgs {
		var blocks []map[string]any
		_ = json.Unmarshal(mustJSON(m.Blocks), &blocks)
		all = append(all, blocks...)
	}
	var fields int
	var text strings.Builder
	for _, b := range all {
		if fs, ok := b["fields"].([]any); ok {
			fields += len(fs)
			if len(fs) > maxFields {
				t.Errorf("section with %d fields, Slack allows %d", len(fs), maxFields)
			}
		}
		text.Write(mustJSON(b))
	}
	if fields != len(v.Answers) || fields == 0 {
		t.Errorf("%d answer fields, want %d", fields, len(v.Answers))
	}
	for _, want := range []string{"⛔ *" + v.Title + "*", v.Conclusion, v.Source.Label, v.Answers[0].Label} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("blocks lack %q", want)
		}
	}
	if strings.Contains(text.String(), "D'après vos réponses") {
		t.Error("the answers are still a bracketed list in a sentence")
	}
}
