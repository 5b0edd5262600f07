package conversation

import (
	"iter"
	"strings"
	"unicode"

	"github.com/qc-ia/conformbot/rules"
)

// Function words that only one of the two languages uses. Words both share
// ("on", "a", "contact") count for neither.
var (
	frWords = wordSet(`le la les l de des du d un une et ou est sont je j tu il elle nous vous ils elles
		mon ma mes notre nos votre vos ce cet cette ces qui que qu quoi quand comment pourquoi
		où ou-est est-ce puis peut peux pouvons doit dois avec sans pour par sur dans pas ne n
		oui non bonjour salut allo merci svp aide au aux y en se s c ça ca jusqu quel quelle quels
		quelles encore aussi mais faire fait être avoir utiliser projet organisme moi`)
	enWords = wordSet(`the a an is are was be been what which who whom how when why where can could
		do does did my our your we you i it its this that these those of to for with without in
		at by from not no yes hello hi hey thanks thank please still use using allowed may might
		should would will about any there their they me am have has project organization`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// detectLang guesses the language of text by its function words and accents.
// It returns "" when the text gives no clue either way (a number, a name).
func detectLang(text string) string {
	fr, en := 0, 0
	for w := range words(strings.ToLower(text)) {
		// Words that are in both lists ("a") are skipped by the lists themselves.
		if frWords[w] && !enWords[w] {
			fr++
		}
		if enWords[w] && !frWords[w] {
			en++
		}
	}
	for _, r := range text {
		switch r {
		case 'é', 'è', 'ê', 'à', 'â', 'ç', 'ù', 'û', 'ô', 'î', 'ï', 'ë', 'É', 'È', 'À', 'Ç', '«', '»':
			fr++
		}
	}
	switch {
	case fr > en:
		return LangFR
	case en > fr:
		return LangEN
	}
	return ""
}

// words yields the words of lower-case text, keeping apostrophes out
// ("l'indication" gives "l", "indication"; "don't" gives "don", "t").
func words(s string) iter.Seq[string] {
	return strings.FieldsFuncSeq(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
}

// localeLang maps a platform locale ("en-US", "fr_CA") to a language, or "".
func localeLang(locale string) string {
	l := strings.ToLower(locale)
	switch {
	case strings.HasPrefix(l, "fr"):
		return LangFR
	case strings.HasPrefix(l, "en"):
		return LangEN
	}
	return ""
}

// normalize folds case, accents, apostrophes and punctuation so that
// commands match however they were typed ("Admissibilité !",
// "/admissibilite", "je sais pas"): the same folding as typed answers.
func normalize(s string) string { return rules.Normalize(s) }
