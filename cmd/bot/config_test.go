package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/adapters/web"
	"github.com/qc-ia/conformbot/internal/ratelimit"
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

func TestGCPercent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		val     string
		want    int
		wantErr bool
	}{
		{"", DefaultGCPercent, false},
		{"150", 150, false},
		{"off", -1, false},
		{"OFF", -1, false},
		{"0", DefaultGCPercent, true},
		{"beaucoup", DefaultGCPercent, true},
	} {
		cfg, err := LoadConfig(func(k string) (string, bool) {
			if k == "GOGC" {
				return tt.val, true
			}
			return "", false
		})
		if (err != nil) != tt.wantErr || (err == nil && cfg.GCPercent != tt.want) {
			t.Errorf("GOGC=%q: %d, err %v; want %d, error %v", tt.val, cfg.GCPercent, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "GOGC") {
			t.Errorf("GOGC=%q: error %q does not name the variable", tt.val, err)
		}
	}
}

func TestRateLimitConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		env     map[string]string
		session ratelimit.Limit
		address ratelimit.Limit
		proxies string
		user    *ratelimit.Limit // nil: DefaultUserLimit
		wantErr string
	}{
		{name: "defaults", session: web.DefaultSessionLimit, address: web.DefaultAddressLimit},
		{name: "set, burst the whole allowance", env: map[string]string{"RATE_LIMIT_SESSION": "30/1m", "RATE_LIMIT_ADDRESS": "1200/1m"},
			session: ratelimit.Limit{Events: 30, Per: time.Minute, Burst: 30}, address: ratelimit.Limit{Events: 1200, Per: time.Minute, Burst: 1200}},
		{name: "burst set", env: map[string]string{"RATE_LIMIT_SESSION": "2/s", "RATE_LIMIT_SESSION_BURST": "5"},
			session: ratelimit.Limit{Events: 2, Per: time.Second, Burst: 5}, address: web.DefaultAddressLimit},
		{name: "burst alone tunes the default", env: map[string]string{"RATE_LIMIT_ADDRESS_BURST": "50"},
			session: web.DefaultSessionLimit, address: ratelimit.Limit{Events: 600, Per: time.Minute, Burst: 50}},
		{name: "off", env: map[string]string{"RATE_LIMIT_SESSION": "off", "RATE_LIMIT_ADDRESS": "off"}},
		{name: "user limit", env: map[string]string{"RATE_LIMIT_USER": "10/1m", "RATE_LIMIT_USER_BURST": "4"},
			session: web.DefaultSessionLimit, address: web.DefaultAddressLimit, user: &ratelimit.Limit{Events: 10, Per: time.Minute, Burst: 4}},
		{name: "trusted proxies", env: map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"},
			session: web.DefaultSessionLimit, address: web.DefaultAddressLimit, proxies: "[10.0.0.0/8 192.0.2.1/32]"},
		{name: "bad limit", env: map[string]string{"RATE_LIMIT_SESSION": "lots"}, wantErr: "RATE_LIMIT_SESSION=\"lots\": nombre/durée"},
		{name: "bad burst", env: map[string]string{"RATE_LIMIT_ADDRESS_BURST": "-3"}, wantErr: "RATE_LIMIT_ADDRESS_BURST=\"-3\": entier positif"},
		{name: "bad proxy", env: map[string]string{"TRUSTED_PROXIES": "proxy.local"}, wantErr: "TRUSTED_PROXIES: \"proxy.local\""},
	} {
		cfg, err := LoadConfig(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if cfg.RateSession != tt.session || cfg.RateAddress != tt.address {
			t.Errorf("%s: session %+v, address %+v; want %+v, %+v", tt.name, cfg.RateSession, cfg.RateAddress, tt.session, tt.address)
		}
		wantUser := DefaultUserLimit
		if tt.user != nil {
			wantUser = *tt.user
		}
		if cfg.RateUser != wantUser {
			t.Errorf("%s: user limit %+v, want %+v", tt.name, cfg.RateUser, wantUser)
		}
		if tt.proxies != "" && fmt.Sprint(cfg.TrustedProxies) != tt.proxies {
			t.Errorf("%s: proxies %v, want %s", tt.name, cfg.TrustedProxies, tt.proxies)
		}
		if l := cfg.WebLimits(); l.Session != cfg.RateSession || l.Address != cfg.RateAddress || len(l.Proxies) != len(cfg.TrustedProxies) {
			t.Errorf("%s: WebLimits %+v do not carry the configuration", tt.name, l)
		}
	}
}
