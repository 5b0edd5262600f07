package main

import "github.com/qc-ia/conformbot/rules"

// loadRules returns the eligibility rules: RULES_DIR replaces the embedded
// set. Shared by check, validate, chat and serve.
func loadRules(cfg Config) (*rules.RuleSet, error) {
	return loadRulesDir(cfg.RulesDir)
}

// loadRulesDir loads dir, or the embedded set when dir is "".
func loadRulesDir(dir string) (*rules.RuleSet, error) {
	if dir == "" {
		return rules.Default()
	}
	return rules.LoadDir(dir)
}
