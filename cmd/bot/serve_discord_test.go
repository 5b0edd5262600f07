package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/conversation"
)

func TestDiscordMountEnabled(t *testing.T) {
	t.Parallel()
	m := registeredMount(t, "discord")
	tests := []struct {
		cfg  Config
		want bool
	}{
		{Config{}, false},
		{Config{DiscordAppID: "1", DiscordGuildID: "2"}, false},
		{Config{DiscordPublicKey: "ab"}, true},
		{Config{DiscordBotToken: "t"}, true},
	}
	for _, tc := range tests {
		if got := m.enabled(tc.cfg); got != tc.want {
			t.Errorf("enabled(%+v) = %v, want %v", tc.cfg, got, tc.want)
		}
	}
}

func TestDiscordMountSetup(t *testing.T) {
	t.Parallel()
	pub, priv, _ := ed25519.GenerateKey(nil)
	h := conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{Text: []string{"ok"}}, nil
	})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name     string
		cfg      Config
		wantErr  bool
		gateway  bool // built only: starting it would dial Discord
		wantPing int  // status of a signed PING; 0: no endpoint mounted
	}{
		{name: "HTTP only", cfg: Config{DiscordPublicKey: hex.EncodeToString(pub)}, wantPing: http.StatusOK},
		{name: "gateway only", cfg: Config{DiscordBotToken: "t", DiscordAppID: "1"}, gateway: true},
		{name: "both", cfg: Config{DiscordPublicKey: hex.EncodeToString(pub), DiscordBotToken: "t"}, gateway: true},
		{name: "bad public key", cfg: Config{DiscordPublicKey: "not-hex"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mux := http.NewServeMux()
			app := &App{Config: tc.cfg, Logger: logger, Handler: h}
			_, err := registeredMount(t, "discord").build(app)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr || tc.gateway {
				return
			}
			startMount(t, "discord", app, mux)
			body := []byte(`{"id":"1","application_id":"1","type":1,"token":"t","version":1}`)
			for _, signed := range []bool{true, false} {
				req := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
				if signed {
					ts := strconv.FormatInt(time.Now().Unix(), 10)
					req.Header.Set("X-Signature-Timestamp", ts)
					req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
				}
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, req)
				want := tc.wantPing
				if !signed && want == http.StatusOK {
					want = http.StatusUnauthorized
				}
				if w.Code != want {
					t.Errorf("signed=%v: status %d, want %d", signed, w.Code, want)
				}
				if w.Code == http.StatusOK && strings.TrimSpace(w.Body.String()) != `{"type":1}` {
					t.Errorf("PING answer %s", w.Body)
				}
			}
		})
	}
}
