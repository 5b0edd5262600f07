package conversation

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestLabelsComplete: every label exists in both languages, and the two
// differ where words are language-specific.
func TestLabelsComplete(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{LangFR, LangEN} {
		v := reflect.ValueOf(*LabelsFor(lang))
		for i := range v.NumField() {
			if v.Field(i).String() == "" {
				t.Errorf("%s: label %s is empty", lang, v.Type().Field(i).Name)
			}
		}
	}
	if LabelsFor("de") != LabelsFor(LangFR) {
		t.Errorf("unknown language: want the French labels")
	}
	if fr, en := LabelsFor(LangFR).Why, LabelsFor(LangEN).Why; fr == en {
		t.Errorf("Why is %q in both languages", fr)
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	timeout := context.DeadlineExceeded
	tests := []struct {
		name string
		err  error
		lang string
		want []string
	}{
		{"failure fr", errors.New("db down"), LangFR, []string{"Désolé, une erreur est survenue"}},
		{"failure en", errors.New("x"), LangEN, []string{"Sorry, something went wrong"}},
		{"timeout fr", timeout, LangFR, []string{"trop de temps"}},
		{"wrapped timeout en", errors.Join(errors.New("x"), timeout), LangEN, []string{"took too long"}},
		{"unknown language: both, French first", nil, "", []string{"Désolé", " / ", "Sorry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ErrorText(tt.err, tt.lang)
			last := -1
			for _, w := range tt.want {
				i := strings.Index(got, w)
				if i <= last {
					t.Errorf("ErrorText = %q, want %q after position %d", got, w, last)
				}
				last = i
			}
		})
	}
	if r := ErrorReply(nil, "en-US"); r.Lang != LangEN || len(r.Text) != 1 {
		t.Errorf("ErrorReply(en-US) = %+v, want one English paragraph", r)
	}
	if r := ErrorReply(nil, ""); len(r.Text) != 2 {
		t.Errorf("ErrorReply without locale = %+v, want French then English", r)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang            string
		step, remaining int
		want            string
	}{
		{LangFR, 4, 7, "Question 4 — au plus 7 restantes"},
		{LangFR, 9, 1, "Question 9 — dernière question"},
		{LangFR, 2, 0, "Question 2"},
		{LangEN, 4, 7, "Question 4 — at most 7 to go"},
		{LangEN, 9, 1, "Question 9 — last question"},
	}
	for _, tt := range tests {
		if got := LabelsFor(tt.lang).Progress(&Question{Step: tt.step, Remaining: tt.remaining}); got != tt.want {
			t.Errorf("%s %d/%d: %q, want %q", tt.lang, tt.step, tt.remaining, got, tt.want)
		}
	}
}

func TestSentenceCase(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"EST-CE QUE MON ORGANISATION EST CONCERNÉE ?", "Est-ce que mon organisation est concernée ?"},
		{"QU'EST-CE QU'UN ASSISTANT VIRTUEL APPUYÉ PAR L'IAG ?", "Qu'est-ce qu'un assistant virtuel appuyé par l'IAG ?"},
		{"PUIS-JE ENCORE UTILISER LA VERSION WEB DE COPILOT OU CHATGPT?", "Puis-je encore utiliser la version web de Copilot ou ChatGPT?"},
		{"EN QUOI CONSISTE UNE « DÉMARCHE STRUCTURÉE » ?", "En quoi consiste une « démarche structurée » ?"},
		{"« ÉTAT » DU PROJET", "« État » du projet"},
		{"Déjà en casse de phrase : LGGRI", "Déjà en casse de phrase : LGGRI"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := SentenceCase(tt.in); got != tt.want {
			t.Errorf("SentenceCase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
