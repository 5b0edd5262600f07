package main

import (
	"strings"
	"testing"
)

func TestStoreUnanswered(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		val     string
		keep    bool
		wantErr bool
	}{
		{"", true, false},
		{"redacted", true, false},
		{"OFF", false, false},
		{"clear", true, true},
	} {
		cfg, err := LoadConfig(func(k string) (string, bool) {
			if k == "STORE_UNANSWERED" {
				return tt.val, true
			}
			return "", false
		})
		if (err != nil) != tt.wantErr || (err == nil && cfg.KeepUnanswered != tt.keep) {
			t.Errorf("STORE_UNANSWERED=%q: keep %v, err %v; want keep %v, error %v", tt.val, cfg.KeepUnanswered, err, tt.keep, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "redacted ou off") {
			t.Errorf("STORE_UNANSWERED=%q: error %q lacks the expected values", tt.val, err)
		}
	}
}
