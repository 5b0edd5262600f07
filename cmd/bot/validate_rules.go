package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/qc-ia/conformbot/faq"
	"github.com/qc-ia/conformbot/internal/nearest"
	"github.com/qc-ia/conformbot/rules"
)

// A rules file declares its rule set or its verdicts at the top level.
var rulesFileRe = regexp.MustCompile(`(?m)^(rule_set|verdicts):`)

func init() {
	validators = append(validators, validator{
		kind:       "rules",
		configured: func(c Config) string { return c.RulesDir },
		claims:     claimsRules,
		check:      func(dir string, from map[string]string) (string, []string) { return checkRules(dir, from["faq"]) },
	})
}

func claimsRules(dir string) bool {
	for _, pat := range []string{"*.yaml", "*.yml"} {
		files, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil && rulesFileRe.Match(b) {
				return true
			}
		}
	}
	return false
}

// checkRules validates the rules in dir ("" = embedded) and checks that
// every FAQ entry they cite exists in the FAQ of faqDir ("" = embedded).
func checkRules(dir, faqDir string) (string, []string) {
	rs, err := loadRulesDir(dir)
	if err != nil {
		return "", rules.Problems(err)
	}
	if problems := checkCitations(rs, faqDir); len(problems) > 0 {
		return "", problems
	}
	where := dir
	if where == "" {
		where = "intégrées / embedded"
	}
	return fmt.Sprintf("%s : version %s, source du %s, %d faits / facts, %d exceptions, %d verdicts, %d scénarios réussis / scenarios passed",
		where, rs.Version, rs.SourceDate.Format("2006-01-02"), len(rs.FactNames()), len(rs.ExceptionNames()),
		len(rs.VerdictCodes()), len(rs.Scenarios())), nil
}

// checkCitations reports, where the rules cite it, each FAQ entry missing
// from the FAQ of faqDir ("" = embedded): a verdict must never rest on an
// entry the bot cannot quote.
func checkCitations(rs *rules.RuleSet, faqDir string) []string {
	whereFR, whereEN := faqDir, faqDir
	if faqDir == "" {
		whereFR, whereEN = "la FAQ intégrée", "the embedded FAQ"
	}
	kb, err := loadKBDir(faqDir)
	if err != nil {
		return []string{fmt.Sprintf("citations non vérifiées, %s illisible / citations not checked, cannot load %s", whereFR, whereEN)}
	}
	return missingCitations(rs, kb, whereFR, whereEN)
}

// missingCitations lists, as file:line:column problems at the id itself,
// the FAQ entries the rules cite that kb lacks, with the nearest id as a
// "did you mean"; where* name the FAQ in the messages.
func missingCitations(rs *rules.RuleSet, kb *faq.KB, whereFR, whereEN string) []string {
	var out, ids []string
	for _, e := range kb.Entries {
		ids = append(ids, e.ID)
	}
	for _, c := range rs.CitationSites() {
		if _, ok := kb.Entry(c.EntryID); ok {
			continue
		}
		msg := fmt.Sprintf("entrée de FAQ « %s » citée mais absente de %s / cited FAQ entry %q is not in %s",
			c.EntryID, whereFR, c.EntryID, whereEN)
		if near := nearest.ID(c.EntryID, ids); near != "" {
			msg += fmt.Sprintf(" ; vouliez-vous dire « %s » ? / did you mean %q?", near, near)
		}
		line, col := citeLine(c.File, c.Line, c.EntryID)
		if col > 0 {
			out = append(out, fmt.Sprintf("%s:%d:%d: %s", c.File, line, col, msg))
			continue
		}
		out = append(out, rules.Problem{File: c.File, Line: c.Line, Msg: msg}.String())
	}
	return out
}

// citeLine finds id written as a whole word in file at or after line (the
// start of the fact or verdict that cites it): its own line and column,
// counted in characters. col is 0 when the file cannot be read (embedded
// rules) or the id is not found nearby.
func citeLine(file string, line int, id string) (int, int) {
	b, err := os.ReadFile(file)
	if err != nil || line < 1 {
		return line, 0
	}
	lines := strings.Split(string(b), "\n")
	for i := line - 1; i < len(lines) && i < line-1+60; i++ {
		l := lines[i]
		for off := 0; ; {
			k := strings.Index(l[off:], id)
			if k < 0 {
				break
			}
			k += off
			end := k + len(id)
			if (k == 0 || !idChar(l[k-1])) && (end == len(l) || !idChar(l[end])) {
				return i + 1, utf8.RuneCountInString(l[:k]) + 1
			}
			off = k + 1
		}
	}
	return line, 0
}

func idChar(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
