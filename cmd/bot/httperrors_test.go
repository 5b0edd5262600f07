package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/conversation"
)

// Every error bot serve writes is the bilingual JSON: unknown routes,
// wrong methods, missing assets and the responses net/http writes itself.
func TestServeErrorsAreJSON(t *testing.T) {
	t.Parallel()
	app := &App{
		Config: Config{Addr: "127.0.0.1:0"},
		Logger: slog.New(slog.DiscardHandler),
		Handler: conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{Lang: "fr", Text: []string{"ok"}}, nil
		}),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, io.Discard, app, ln, nil) }()
	t.Cleanup(func() { cancel(); <-done })
	addr := ln.Addr().String()

	for _, tt := range []struct {
		name string
		raw  string
		code int
		want string // in error_en
	}{
		{"unknown route", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "does not exist"},
		{"unknown API route", "POST /api/nope HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 404, "does not exist"},
		{"missing asset", "GET /static/nope.css HTTP/1.1\r\nHost: x\r\n\r\n", 404, "does not exist"},
		{"wrong method", "DELETE /api/chat HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Method not allowed"},
		{"malformed request", "GARBAGE\r\n\r\n", 400, "Malformed HTTP request"},
		{"no Host header", "GET / HTTP/1.1\r\n\r\n", 400, ""},
		{"headers too large", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", maxHeaderBytes+8192) + "\r\n\r\n", 431, "headers too large"},
		{"unknown transfer coding", "POST /api/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: rot13\r\n\r\n", 501, "Transfer-Encoding"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go func() { _, _ = io.WriteString(c, tt.raw) }()
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var e conversation.ErrorJSON
			if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
				t.Fatalf("%d, body not JSON: %v", res.StatusCode, err)
			}
			if res.StatusCode != tt.code || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
				e.ErrorFR == "" || e.ErrorEN == "" || !strings.Contains(e.ErrorEN, tt.want) || e.Error != e.ErrorFR+" / "+e.ErrorEN {
				t.Errorf("%d %s %+v; want %d and bilingual JSON with %q", res.StatusCode, res.Header.Get("Content-Type"), e, tt.code, tt.want)
			}
		})
	}
}

// A handler's "français / English" http.Error keeps both halves.
func TestJSONErrorsKeepsBilingualText(t *testing.T) {
	t.Parallel()
	h := jsonErrors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "signature invalide / invalid signature", http.StatusUnauthorized)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/slack/events", nil))
	var e conversation.ErrorJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != 401 || e.ErrorFR != "signature invalide" || e.ErrorEN != "invalid signature" {
		t.Errorf("%d %q: %v", rec.Code, rec.Body.String(), err)
	}
}
