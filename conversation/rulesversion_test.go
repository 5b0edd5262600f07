package conversation_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
	"github.com/qc-ia/conformbot/rules"
	"github.com/qc-ia/conformbot/store/memstore"
)

// rulesB is the shipped rules with the second question reworded: another
// version, as an officer's edit would make.
func rulesB(t *testing.T) *rules.RuleSet {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"regles.yaml", "scenarios.yaml"} {
		b, err := os.ReadFile(filepath.Join("../rules/data", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "regles.yaml" {
			b = []byte(strings.Replace(string(b), "L'outil visé est-il un assistant virtuel", "VERSION B : l'outil visé est-il un assistant virtuel", 1))
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := rules.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// A dialog started before new rules were loaded finishes on the rules it
// started with; where those are gone (another replica, a restart) it goes
// on with the new ones and says so; a restart uses the new ones.
func TestDialogKeepsItsRules(t *testing.T) {
	t.Parallel()
	f := load(t)
	a, b := f.rs, rulesB(t)
	if a.Digest == "" || a.Digest == b.Digest {
		t.Fatalf("digests %q and %q; want two different versions", a.Digest, b.Digest)
	}
	known := map[string]*rules.RuleSet{a.Digest: a, b.Digest: b}
	st := memstore.New()
	engine := func(rs *rules.RuleSet, prior bool) *conversation.Engine {
		o := conversation.Options{KB: f.kb, Index: f.ix, Rules: rs, Store: st}
		if prior {
			o.PriorRules = func(d string) *rules.RuleSet { return known[d] }
		}
		return conversation.New(o)
	}
	say := func(e *conversation.Engine, user, text string) conversation.Reply {
		t.Helper()
		r, err := e.Handle(context.Background(), conversation.Message{Platform: "web", UserID: user, ConversationID: "c", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	const second, reworded = "L'outil visé est-il un assistant virtuel", "VERSION B"
	onA, onB, otherReplica := engine(a, true), engine(b, true), engine(b, false)

	say(onA, "u1", "admissibilité")
	if r := say(onB, "u1", "oui"); r.Question == nil || !strings.Contains(r.Question.Prompt, second) {
		t.Fatalf("after the reload, the dialog started on the old rules asks %+v; want the old second question", r.Question)
	}
	if r := say(onB, "u1", "recommencer"); r.Question == nil || r.Question.Step != 1 {
		t.Fatalf("restart: %+v", r.Question)
	}
	if r := say(onB, "u1", "oui"); r.Question == nil || !strings.Contains(r.Question.Prompt, reworded) {
		t.Errorf("a dialog restarted after the reload asks %+v; want the new rules' question", r.Question)
	}

	say(onA, "u2", "admissibilité")
	r := say(otherReplica, "u2", "oui")
	if r.Question == nil || !strings.Contains(r.Question.Prompt, reworded) || !strings.Contains(strings.Join(r.Text, " "), "mises à jour pendant votre vérification") {
		t.Errorf("where the old rules are gone: text %q, question %+v; want the notice and the new question", r.Text, r.Question)
	}
	if r := say(otherReplica, "u2", "oui"); strings.Contains(strings.Join(r.Text, " "), "mises à jour") {
		t.Errorf("the notice is repeated: %q", r.Text)
	}
}
