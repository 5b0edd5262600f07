package index

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"

	"github.com/qc-ia/conformbot/faq"
)

// The analysis chain, applied to the FAQ and to questions alike:
//
//	unicode tokenizer → lowercase → fold accents → synonyms → elision → stop words → light stemmer
//
// Accents are folded by a token filter (not the asciifolding char filter,
// which shifts offsets) and before the stop words and the stemmer, so that
// "ete", "meme" and "eligibilite" typed without accents meet the text.
// Synonyms run before elision and stop words so that phrases such as
// "grand modèle de langage" or "how long" can be matched whole.
const (
	foldName       = "conformbot_fold"
	synonymsType   = "conformbot_synonyms"
	stopName       = "conformbot_stop"
	analyzerName   = "conformbot_fr"
	kbSynonymsName = "conformbot_kb_synonyms"
)

//go:embed stopwords.txt
var extraStopWords string

func init() {
	registry.RegisterTokenFilter(foldName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	})
	registry.RegisterTokenFilter(synonymsType, synonymConstructor)
	registry.RegisterTokenMap(stopName, func(map[string]interface{}, *registry.Cache) (analysis.TokenMap, error) {
		return stopWords(), nil
	})
}

// stopWords is Bleve's French list, the same folded, plus chat fillers and
// English function words (employees ask in English too).
func stopWords() analysis.TokenMap {
	m := analysis.NewTokenMap()
	_ = m.LoadBytes(fr.FrenchStopWords)
	for w := range m {
		m.AddToken(fold(w))
	}
	for _, line := range strings.Split(extraStopWords, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(line) {
			m.AddToken(fold(strings.ToLower(w)))
		}
	}
	return m
}

var foldReplacer = strings.NewReplacer("œ", "oe", "æ", "ae", "’", "'", "ʼ", "'")

// latinFold maps the accented letters of Latin-1 and Latin Extended-A to
// their base letter (0: no single-letter fold), computed once from NFD.
var latinFold = func() (t [0x180]rune) {
	for r := rune(0xc0); r < 0x180; r++ {
		d := []rune(norm.NFD.String(string(r)))
		if len(d) > 1 && d[0] < 0x80 {
			t[r] = d[0]
		}
	}
	return t
}()

// fold strips diacritics and normalises ligatures and apostrophes.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	// The accented letters of French (and their neighbours) fold by table;
	// anything else goes through NFD.
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			b = append(b, byte(r))
		case r < 0x180 && latinFold[r] != 0:
			b = append(b, byte(latinFold[r]))
		case r == 'œ':
			b = append(b, 'o', 'e')
		case r == 'æ':
			b = append(b, 'a', 'e')
		case r == '’' || r == 'ʼ':
			b = append(b, '\'')
		default:
			return foldSlow(s)
		}
	}
	return string(b)
}

func foldSlow(s string) string {
	s = foldReplacer.Replace(s)
	// Decompose, drop combining marks, recompose. (A shared
	// transform.Chain is not safe for concurrent use.)
	d := norm.NFD.String(s)
	b := make([]byte, 0, len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b = utf8.AppendRune(b, r)
		}
	}
	return norm.NFC.String(string(b))
}

type foldFilter struct{}

func (foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		// English possessive: "MCN's" is "MCN"; "what's" is "what is",
		// not "what".
		if n := len(t.Term); n > 3 && t.Term[n-1] == 's' && (t.Term[n-2] == '\'' || (n > 4 && string(t.Term[n-4:n-1]) == "’")) && !contraction(t.Term) {
			if t.Term[n-2] == '\'' {
				t.Term = t.Term[:n-2]
			} else {
				t.Term = t.Term[:n-4]
			}
		}
		if f := fold(string(t.Term)); f != string(t.Term) {
			t.Term = []byte(f)
		}
	}
	return in
}

// contractions of "is" that are not possessives.
var contractions = map[string]bool{"what": true, "that": true, "who": true, "it": true, "there": true,
	"here": true, "where": true, "how": true, "let": true, "he": true, "she": true}

// contraction reports "what's", "that’s" and the like (lowercase).
func contraction(term []byte) bool {
	s := string(term)
	if i := strings.IndexAny(s, "'’"); i > 0 {
		return contractions[s[:i]]
	}
	return false
}

// preTokens runs the part of the chain that precedes the synonym filter, so
// that synonym variants are compared in the same form as the text.
func preTokens(s string) []string {
	toks := unicodetok.NewUnicodeTokenizer().Tokenize([]byte(s))
	toks = lowercase.NewLowerCaseFilter().Filter(toks)
	toks = foldFilter{}.Filter(toks)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = string(t.Term)
	}
	return out
}

var frenchStop = func() map[string]bool {
	m := analysis.NewTokenMap()
	_ = m.LoadBytes(fr.FrenchStopWords)
	out := make(map[string]bool, len(m))
	for w := range m {
		out[fold(w)] = true
	}
	return out
}()

var articles = map[string]bool{"l": true, "m": true, "t": true, "qu": true, "n": true, "s": true,
	"j": true, "d": true, "c": true, "jusqu": true, "quoiqu": true, "lorsqu": true, "puisqu": true}

// matchKey is how a token is compared with synonym variants: without its
// elided article and without a plural s/x. elided reports an article.
func matchKey(tok string) (key string, elided bool) {
	if i := strings.IndexByte(tok, '\''); i > 0 && articles[tok[:i]] {
		tok, elided = tok[i+1:], true
	}
	if len(tok) > 3 && (tok[len(tok)-1] == 's' || tok[len(tok)-1] == 'x') {
		tok = tok[:len(tok)-1]
	}
	return tok, elided
}

type synonymRule struct {
	from   []string // match keys
	to     []string // canonical tokens
	elided bool     // the variant starts with an elided article ("qu'est-ce que"): so must the text
}

// synonymFilter replaces the longest variant found at each position by its
// canonical term, at index and query time alike.
type synonymFilter struct {
	rules map[string][]synonymRule // by first key, longest first
}

func synonymConstructor(config map[string]interface{}, _ *registry.Cache) (analysis.TokenFilter, error) {
	raw, _ := config["groups"].([]interface{})
	f := &synonymFilter{rules: map[string][]synonymRule{}}
	for _, g := range raw {
		gm, ok := g.(map[string]interface{})
		if !ok {
			return nil, fmt.Errorf("synonyms: bad group %v", g)
		}
		term, _ := gm["term"].(string)
		to := preTokens(term)
		if len(to) == 0 {
			return nil, fmt.Errorf("synonyms: empty term")
		}
		vs, _ := gm["variants"].([]interface{})
		// The term itself is a variant too, so that a longer phrase holding
		// it ("utilisation individuelle") beats a group of one of its words.
		for _, v := range append([]interface{}{term}, vs...) {
			s, _ := v.(string)
			toks := slices.DeleteFunc(preTokens(s), func(t string) bool { return questionParticle([]byte(t)) })
			if len(toks) == 0 {
				continue
			}
			keys := make([]string, len(toks))
			var elided bool
			for i, t := range toks {
				var e bool
				keys[i], e = matchKey(t)
				if i == 0 {
					elided = e
				}
			}
			f.rules[keys[0]] = append(f.rules[keys[0]], synonymRule{from: keys, to: to, elided: elided})
		}
	}
	for k, rs := range f.rules {
		for i := 1; i < len(rs); i++ { // insertion sort: longest first, stable
			for j := i; j > 0 && len(rs[j].from) > len(rs[j-1].from); j-- {
				rs[j], rs[j-1] = rs[j-1], rs[j]
			}
		}
		f.rules[k] = rs
	}
	return f, nil
}

// questionParticle reports the "-tu" (or "-ti") of Québec questions.
func questionParticle(term []byte) bool {
	return string(term) == "tu" || string(term) == "ti"
}

func synonymConfig(groups []faq.SynonymGroup) map[string]interface{} {
	gs := make([]interface{}, len(groups))
	for i, g := range groups {
		vs := make([]interface{}, len(g.Variants))
		for j, v := range g.Variants {
			vs[j] = v
		}
		gs[i] = map[string]interface{}{"term": g.Term, "variants": vs}
	}
	return map[string]interface{}{"type": synonymsType, "groups": gs}
}

func (f *synonymFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	if len(f.rules) == 0 || len(in) == 0 {
		return in
	}
	// The Québec question particle ("ça compte-tu comme", "y a-tu des
	// cas") carries nothing and would split phrases: drop it first.
	kept := in[:0]
	for _, t := range in {
		if !questionParticle(t.Term) {
			kept = append(kept, t)
		}
	}
	if in = kept; len(in) == 0 {
		return in
	}
	// The keys only live while the tokens are read: they alias the terms'
	// bytes, and a message's stay on the stack.
	var keysBuf [48]string
	var elidedBuf [48]bool
	keys, elided := keysBuf[:0], elidedBuf[:0]
	if len(in) > len(keysBuf) {
		keys, elided = make([]string, 0, len(in)), make([]bool, 0, len(in))
	}
	for _, t := range in {
		k, e := matchKey(unsafe.String(unsafe.SliceData(t.Term), len(t.Term)))
		keys, elided = append(keys, k), append(elided, e)
	}
	out := make(analysis.TokenStream, 0, len(in))
	for i := 0; i < len(in); {
		var hit *synonymRule
		for r, rule := range f.rules[keys[i]] {
			if i+len(rule.from) > len(in) {
				continue
			}
			if rule.elided && !elided[i] {
				continue // "est-ce que" is not "qu'est-ce que"
			}
			// An elided stop word never matches a one-word variant:
			// "j'ai" is a verb, not "AI".
			if len(rule.from) == 1 && elided[i] && frenchStop[keys[i]] {
				continue
			}
			ok := true
			for k := 1; k < len(rule.from); k++ {
				if keys[i+k] != rule.from[k] {
					ok = false
					break
				}
			}
			if ok {
				hit = &f.rules[keys[i]][r]
				break
			}
		}
		if hit == nil {
			out = append(out, in[i])
			i++
			continue
		}
		first, last := in[i], in[i+len(hit.from)-1]
		for k, term := range hit.to {
			out = append(out, &analysis.Token{
				Term:     []byte(term),
				Start:    first.Start,
				End:      last.End,
				Position: first.Position + k,
				Type:     analysis.AlphaNumeric,
			})
		}
		i += len(hit.from)
	}
	return out
}

// englishStop is Bleve's English (Snowball) stop list. It is applied only to
// questions that look English: "but", "once", "son" or "more" may be French
// words, and an English word the FAQ does not know weighs as an unknown word,
// a sign of an out-of-scope question, unless it carries no meaning.
var englishStop = func() map[string]bool {
	m := analysis.NewTokenMap()
	_ = m.LoadBytes(en.EnglishStopWords)
	out := make(map[string]bool, len(m))
	for w := range m {
		out[w] = true
	}
	return out
}()

// looksEnglish reports a question holding more English-only function words
// than French-only ones (tokens lowercased and folded, before synonyms).
func looksEnglish(toks analysis.TokenStream) bool {
	var nEN, nFR int
	for _, t := range toks {
		w := string(t.Term)
		switch en, fr := englishStop[w], frenchStop[w]; {
		case en && !fr:
			nEN++
		case fr && !en:
			nFR++
		}
	}
	return nEN >= 2 && nEN > nFR
}

// dropEnglishStop removes English function words, in place.
func dropEnglishStop(toks analysis.TokenStream) analysis.TokenStream {
	kept := toks[:0]
	for _, t := range toks {
		if !englishStop[string(t.Term)] {
			kept = append(kept, t)
		}
	}
	return kept
}
