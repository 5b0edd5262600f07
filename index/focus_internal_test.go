package index

import (
	"slices"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	t.Parallel()
	long := "je travaille dans un hôpital et ici tout le monde pense que la suspension vise seulement les ministères à Québec pis pas le réseau"
	for _, tt := range []struct {
		name, text  string
		clauseWords int
		want        []string // the sentences, trimmed; "?" after one that asks
	}{
		{"marks", "Bonjour. On a un projet! C'est visé?", 20, []string{"Bonjour.", "On a un projet!", "C'est visé??"}},
		{"dot inside a word", "Voir ia.gouv.qc.ca pour la version 2.0. Merci", 20, []string{"Voir ia.gouv.qc.ca pour la version 2.0.", "Merci"}},
		{"short sentence keeps its commas", "Bon, pis, c'est-tu correct, ça?", 20, []string{"Bon, pis, c'est-tu correct, ça??"}},
		{"run-on cut at a comma", long + ", est-ce que ça inclut les établissements de santé?", 20,
			[]string{long + ",", "est-ce que ça inclut les établissements de santé??"}},
		{"never without clauseWords", long + ", est-ce que ça inclut les CHU?", -1, []string{long + ", est-ce que ça inclut les CHU??"}},
		{"a comma in a number", long + " 2,5 fois plus, pourquoi?", 20, []string{long + " 2,5 fois plus,", "pourquoi??"}},
		{"the count starts again after a cut", long + ", alors on attend, merci", 20, []string{long + ",", "alors on attend, merci"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, sp := range sentences(tt.text, tt.clauseWords) {
				s := strings.TrimSpace(tt.text[sp.start:sp.end])
				if sp.asks {
					s += "?"
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("sentences(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

// The question view of a run-on message leaves its long context clause
// out.
func TestRunOnQuestionClause(t *testing.T) {
	t.Parallel()
	ix := defaultIndex(t)
	defer ix.Close()
	text := "je travaille dans un CHU et ici tout le monde pense que la suspension c'est pour les ministères à Québec et pas pour le réseau de la santé, " +
		"on a un projet d'assistant pour la pharmacie qui a déjà eu un avis de la sécurité de l'information, est-ce que ça inclut les établissements de santé?"
	r := ix.read(text, nil)
	if r.qIsWhole {
		t.Fatalf("the question of a run-on message is read as the whole message")
	}
	// The first clause (26 words) is context: the question is read from
	// the clauses after it.
	if r.question.n >= r.whole.n {
		t.Errorf("question view holds %d of the message's %d terms, want the context clause left out", r.question.n, r.whole.n)
	}
}
