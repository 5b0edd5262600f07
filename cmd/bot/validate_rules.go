package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/qc-ia/conformbot/rules"
)

// A rules file declares its rule set or its verdicts at the top level.
var rulesFileRe = regexp.MustCompile(`(?m)^(rule_set|verdicts):`)

func init() {
	validators = append(validators, validator{
		kind:       "rules",
		configured: func(c Config) string { return c.RulesDir },
		claims:     claimsRules,
		check:      checkRules,
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

func checkRules(dir string) (string, []string) {
	rs, err := loadRulesDir(dir)
	if err != nil {
		return "", rules.Problems(err)
	}
	where := dir
	if where == "" {
		where = "intégrées / embedded"
	}
	return fmt.Sprintf("%s : version %s, source du %s, %d faits / facts, %d exceptions, %d verdicts, %d scénarios réussis / scenarios passed",
		where, rs.Version, rs.SourceDate.Format("2006-01-02"), len(rs.FactNames()), len(rs.ExceptionNames()),
		len(rs.VerdictCodes()), len(rs.Scenarios())), nil
}
