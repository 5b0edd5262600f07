package conversation

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDetectLang(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, want string }{
		{"Puis-je encore utiliser ChatGPT ?", LangFR},
		{"est-ce que mon organisation est concernee", LangFR},
		{"Can I still use the web version of ChatGPT?", LangEN},
		{"what are the exceptions", LangEN},
		{"oui", LangFR},
		{"yes", LangEN},
		{"non", LangFR},
		{"no", LangEN},
		{"Qu'en est-il des exceptions?", LangFR},
		{"durée", LangFR},
		{"1", ""},
		{"ChatGPT", ""},
		{"", ""},
		{"I don't know", LangEN},
		{"je ne sais pas", LangFR},
	}
	for _, tt := range tests {
		if got := detectLang(tt.text); got != tt.want {
			t.Errorf("detectLang(%q) = %q; want %q", tt.text, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Admissibilité !", "admissibilite"},
		{"/aide", "aide"},
		{"  Je ne sais   pas. ", "je ne sais pas"},
		{"I don’t know", "i don t know"},
		{"?", "?"},
		{"PARLER À UN HUMAIN", "parler a un humain"},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// E-mail addresses, accented and disguised.
		{"écrivez-moi à jean.tremblay@mcn.gouv.qc.ca svp", "écrivez-moi à [courriel] svp"},
		{"mon adresse : hélène.côté-bérubé@mcn.gouv.qc.ca", "mon adresse : [courriel]"},
		{"frédéric@ministère.québec", "[courriel]"},
		{"JEAN.TREMBLAY@MCN.GOUV.QC.CA", "[courriel]"},
		{"jean.tremblay (at) mcn.gouv.qc.ca", "[courriel]"},
		{"jean.tremblay[at]mcn.gouv.qc.ca", "[courriel]"},
		{"jean.tremblay [AT] mcn [dot] gouv [dot] qc [dot] ca", "[courriel]"},
		{"marie_2@exemple.com, merci", "[courriel], merci"},
		// Phone numbers, North American and international.
		{"mon numéro : (514) 555-1234", "mon numéro : [téléphone]"},
		{"appelez 418.555.0199 poste 2234", "appelez [téléphone]"},
		{"+1 514 555 1234", "[téléphone]"},
		{"+1 (514) 555-1234", "[téléphone]"},
		{"1-800-555-0199", "[téléphone]"},
		{"5145551234", "[téléphone]"},
		{"au bureau de Paris : +33 1 23 45 67 89.", "au bureau de Paris : [téléphone]."},
		{"+33.1.23.45.67.89", "[téléphone]"},
		{"+44 20 7946 0958", "[téléphone]"},
		{"+32 2 555 12 34 ext 12", "[téléphone]"},
		// Social insurance numbers, any separator.
		{"NAS 123 456 789 et 987-654-321 ou 123456789", "NAS [NAS] et [NAS] ou [NAS]"},
		{"mon NAS est 046.454.286", "mon NAS est [NAS]"},
		{"SIN: 046 454 286.", "SIN: [NAS]."},
		// Employee and file numbers.
		{"matricule 123456", "matricule [numéro]"},
		{"Matricule : 98765", "Matricule : [numéro]"},
		{"mon no d'employé est 45678", "mon no d'employé est [numéro]"},
		{"no d'employé 45678", "no d'employé [numéro]"},
		{"numéro d’employée : E-12345", "numéro d’employée : [numéro]"},
		{"no de dossier 2025-1234", "no de dossier [numéro]"},
		{"employee number 778899", "employee number [numéro]"},
		{"employee ID: AB123456", "employee ID: [numéro]"},
		{"le compte 12345678 est bloqué", "le compte [numéro] est bloqué"},
		// The writer's own name.
		{"Bonjour, je m'appelle Marie Tremblay et je travaille au MCN", "Bonjour, je m'appelle [nom] et je travaille au MCN"},
		{"je m’appelle Jean-François", "je m’appelle [nom]"},
		{"Je suis Hélène Côté, analyste.", "Je suis [nom], analyste."},
		{"Mon nom est Luc Bérubé", "Mon nom est [nom]"},
		{"Hi, my name is John Smith.", "Hi, my name is [nom]."},
		{"I am Sarah O'Neil from IT", "I am [nom] from IT"},
		{"Puis-je utiliser Copilot?\nMerci, Julie Gagnon", "Puis-je utiliser Copilot?\nMerci, [nom]"},
		{"Can I use it? Regards, Tom Lee", "Can I use it? Regards, [nom]"},
		// Not personal data: kept as written.
		{"la directive IA-RI-2025-001-OP du 18 mars 2025", "la directive IA-RI-2025-001-OP du 18 mars 2025"},
		{"article 8, 5 critères sur 6", "article 8, 5 critères sur 6"},
		{"depuis le 2025-03-18", "depuis le 2025-03-18"},
		{"le 18/03/2025 à 14 h 30", "le 18/03/2025 à 14 h 30"},
		{"un contrat de 1 250 000 $", "un contrat de 1 250 000 $"},
		{"un budget de 125 000 000 $", "un budget de 125 000 000 $"},
		{"un budget de 2 500 000 000 dollars", "un budget de 2 500 000 000 dollars"},
		{"les articles 12 et 13 de la Loi 25", "les articles 12 et 13 de la Loi 25"},
		{"je suis analyste au MCN", "je suis analyste au MCN"},
		{"je suis en Montérégie", "je suis en Montérégie"},
		{"I am using ChatGPT", "I am using ChatGPT"},
		{"Puis-je utiliser Microsoft Copilot ?", "Puis-je utiliser Microsoft Copilot ?"},
		{"le dossier 12 est clos", "le dossier 12 est clos"},
		{"Merci beaucoup", "Merci beaucoup"},
		{"version 4.0 de GPT, 2 ou 3 fois", "version 4.0 de GPT, 2 ou 3 fois"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMailto(t *testing.T) {
	t.Parallel()
	body := "Bonjour,\n\n« Puis-je utiliser ChatGPT & Copilot ? » 100% + sûr=oui\n\nMerci."
	link := mailto("encadrement.ia@mcn.gouv.qc.ca", "Question sur l'IA", body)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "mailto" || u.Opaque != "encadrement.ia@mcn.gouv.qc.ca" {
		t.Errorf("mailto address = %q:%q", u.Scheme, u.Opaque)
	}
	if strings.Contains(u.RawQuery, "+") {
		t.Errorf("query %q holds '+', which mail clients show literally; want %%20", u.RawQuery)
	}
	q := u.Query()
	if q.Get("subject") != "Question sur l'IA" || q.Get("body") != body {
		t.Errorf("mailto decodes to subject %q body %q; want the originals", q.Get("subject"), q.Get("body"))
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", MaxText+10)
	got, cut := truncate(long)
	if !cut || utf8.RuneCountInString(got) != MaxText || !utf8.ValidString(got) {
		t.Errorf("truncate(%d runes) = %d runes, cut %v; want %d, true", MaxText+10, utf8.RuneCountInString(got), cut, MaxText)
	}
	if got, cut := truncate("court"); cut || got != "court" {
		t.Errorf("truncate(short) = %q, %v", got, cut)
	}
}

func TestButtons(t *testing.T) {
	t.Parallel()
	yes := Action{ID: "elig:ans:f:yes", Label: "Oui"}
	mail := Action{Label: "Écrire", URL: "mailto:a@b.c"}
	r := Reply{
		Question:    &Question{Choices: []Action{yes}},
		Suggestions: []Suggestion{{EntryID: "contact", Action: Action{ID: "faq:contact", Label: "Qui"}}},
		Actions:     []Action{yes, {ID: "elig:back", Label: "Retour"}, mail, mail, {Label: "vide"}},
	}
	var got []string
	for _, a := range r.Buttons() {
		got = append(got, a.ID+a.URL)
	}
	want := "elig:ans:f:yes faq:contact elig:back mailto:a@b.c"
	if strings.Join(got, " ") != want {
		t.Errorf("Buttons() = %v; want %s", got, want)
	}
	if len(r.Actions) != 5 {
		t.Error("Buttons() changed r.Actions")
	}
}

// The cues that spare most texts the expressions skip none that one of
// them matches: on the development questions, with names and numbers
// added, and a few cases, Redact gives what trying every expression gives.
func TestRedactCuesSkipNothing(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "dev_questions*.jsonl"))
	if err != nil || len(files) < 2 {
		t.Fatalf("question banks: %v %v", files, err)
	}
	texts := []string{"BEſT, Julie Gagnon", "Mon nom est Côté", "I AM John Smith", "joe@x.ca"}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(raw)) {
			var q struct {
				Q string `json:"q"`
			}
			if json.Unmarshal([]byte(line), &q) == nil && q.Q != "" {
				texts = append(texts, q.Q, "Je m'appelle Marie. "+q.Q+" 418 555-0199. Merci, Julie Gagnon")
			}
		}
	}
	redacted := 0
	for _, s := range texts {
		got, all := Redact(s), redact(s, false)
		if got != all {
			t.Errorf("Redact(%q) = %q; every expression gives %q", s, got, all)
		}
		if all != s {
			redacted++
		}
	}
	if redacted < len(texts)/2 {
		t.Errorf("only %d of %d texts had something to redact: the cases lost their names and numbers", redacted, len(texts))
	}
}

// Every redaction names what it removes in both languages, and every
// placeholder Redact writes is named, so bot report's header lists it all.
func TestRedactedKinds(t *testing.T) {
	t.Parallel()
	fr, en := RedactedKinds(LangFR), RedactedKinds(LangEN)
	placeholders := map[string]bool{}
	for i, r := range redactions {
		if r.kind[0] == "" || r.kind[1] == "" {
			t.Errorf("redaction %d (%s) has no kind in both languages", i, r.with)
		}
		if !strings.Contains(fr, r.kind[0]) || !strings.Contains(en, r.kind[1]) {
			t.Errorf("redaction %d: %q / %q missing from %q / %q", i, r.kind[0], r.kind[1], fr, en)
		}
		placeholders[r.with[strings.Index(r.with, "["):]] = true
	}
	for _, p := range []string{"[courriel]", "[téléphone]", "[NAS]", "[numéro]", "[nom]"} {
		if !placeholders[p] {
			t.Errorf("no redaction writes %s", p)
		}
	}
	if strings.Count(fr, ",") != 5 || strings.Count(en, ",") != 5 {
		t.Errorf("want the 6 kinds once each: %q / %q", fr, en)
	}
}

// BenchmarkRedact: the development questions, most of which hold nothing
// to redact, as a fallback keeps them; "every" tries every expression.
func BenchmarkRedact(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "dev_questions_chat.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	var qs []string
	for line := range strings.Lines(string(raw)) {
		var q struct {
			Q string `json:"q"`
		}
		if json.Unmarshal([]byte(line), &q) == nil && q.Q != "" {
			qs = append(qs, q.Q)
		}
	}
	for _, cues := range []bool{true, false} {
		name := "cues"
		if !cues {
			name = "every"
		}
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				redact(qs[i%len(qs)], cues)
				i++
			}
		})
	}
}
