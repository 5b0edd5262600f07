package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/rules"
)

// nodeModules finds the repository's node_modules holding the pinned
// adaptivecards package, or skips the test saying how to install it.
func nodeModules(t *testing.T) (node, dir string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("Adaptive Cards validation skipped: no node (install nodejs and npm, then npm ci at the repository's root)")
	}
	dir, err = os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
	mods := filepath.Join(dir, "node_modules")
	if _, err := os.Stat(filepath.Join(mods, "adaptivecards", "dist", "adaptivecards.js")); err != nil {
		t.Skipf("Adaptive Cards validation skipped: %v (install the pinned adaptivecards with: npm ci, in %s)", err, dir)
	}
	return node, mods
}

type namedCard struct {
	Name string          `json:"name"`
	Card json.RawMessage `json:"card"`
}

// drain collects every card the connector received (posts and updates).
func drain(t *testing.T, e *env, name string) []namedCard {
	t.Helper()
	e.a.Wait()
	var out []namedCard
	for {
		select {
		case p := <-e.conn.Got:
			for i, a := range p.Activity.Attachments {
				out = append(out, namedCard{fmt.Sprintf("%s/%s %s #%d", name, p.Method, p.ID, i), a.Content})
			}
		default:
			return out
		}
	}
}

// Every card the adapter sends, posted or updated, parses with the
// official Adaptive Cards parser at the version it declares, with no
// warning, and needs that version (not a lower one).
func TestCardsValidateWithTheOfficialParser(t *testing.T) {
	t.Parallel()
	node, mods := nodeModules(t)
	var cards []namedCard
	add := func(name string, cs []*card) {
		for i, c := range cs {
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			cards = append(cards, namedCard{fmt.Sprintf("%s #%d", name, i), b})
		}
	}
	full := fullReply()
	add("every part", renderCards(full, maxCardBytes))
	full.Lang = conversation.LangEN
	add("every part, English", renderCards(full, maxCardBytes))
	add("split", renderCards(conversation.Reply{Text: []string{strings.Repeat("Un long paragraphe officiel. ", 2000)}}, maxCardBytes))
	add("record", []*card{answeredCard("Question 3 — Non ✓", "Votre organisation ?")})
	add("settled", []*card{settled(renderCards(fullReply(), maxCardBytes)[0], []string{"Choisi : 👍 Utile ✓", "Merci"})})
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range rs.Scenarios() {
		answers := map[string]string{}
		for k, v := range s.Facts {
			answers[k] = string(v)
		}
		for _, loc := range []string{"fr-CA", "en-CA"} {
			add(fmt.Sprintf("verdict %s %d %s", s.Verdict, i, loc), renderCards(adaptertest.Verdict(t, loc, answers), maxCardBytes))
		}
	}
	// Through the adapter and its fakes: the longest dialog clicked
	// through, feedback, a check moved out of a channel.
	e := newEnv(t, adaptertest.Engine(t))
	e.post(t, e.validToken(t), e.activity("admissibilité"))
	for range 30 {
		p := e.conn.NextMessage(t)
		cards = append(cards, namedCard{"dialog/POST " + p.ID, p.Activity.Attachments[0].Content})
		_, acts := cardText(decode(t, p.Activity))
		var choice *submitData
		for _, a := range acts {
			if a.Data != nil && strings.HasPrefix(a.Data.Action, "elig:ans:") {
				fact, val, _ := strings.Cut(strings.TrimPrefix(a.Data.Action, "elig:ans:"), ":")
				if adaptertest.Longest[fact] == val {
					choice = a.Data
				}
			}
		}
		if choice == nil {
			break
		}
		e.a.Wait()
		e.click(t, p.ID, choice, nil)
	}
	cards = append(cards, drain(t, e, "dialog")...)
	f := newEnv(t, feedbackEngine)
	f.post(t, f.validToken(t), f.activity("Copilot ?"))
	p := f.conn.NextMessage(t)
	cards = append(cards, namedCard{"feedback/POST", p.Activity.Attachments[0].Content})
	f.a.Wait()
	_, acts := cardText(decode(t, p.Activity))
	f.click(t, p.ID, acts[0].Data, nil)
	cards = append(cards, drain(t, f, "feedback")...)
	c := newEnv(t, adaptertest.Engine(t))
	c.post(t, c.validToken(t), c.channel("admissibilité", "1"))
	cards = append(cards, drain(t, c, "channel")...)

	in, err := json.Marshal(cards)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "validate.js"), mods)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("validator: %v\n%s", err, stderr.String())
	}
	var results []struct {
		Name     string   `json:"name"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("validator output: %v\n%s", err, out)
	}
	if len(results) != len(cards) || len(cards) < 40 {
		t.Fatalf("%d results for %d cards", len(results), len(cards))
	}
	for _, r := range results {
		for _, p := range r.Problems {
			t.Errorf("%s: %s", r.Name, p)
		}
	}
	t.Logf("%d cards validated", len(cards))
}
