package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/qc-ia/conformbot/conversation"
)

// jsonErrors turns a plain-text error response (the mux's 404 and 405,
// http.Error anywhere, a file server's 404) into the bilingual JSON every
// other error has. A "français / English" text keeps its two halves; any
// other text gets the status's own bilingual message.
func jsonErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jw := &jsonErrorWriter{ResponseWriter: w}
		next.ServeHTTP(jw, r)
		jw.finish()
	})
}

type jsonErrorWriter struct {
	http.ResponseWriter
	status  int // a plain-text error held back until the handler returns
	text    bytes.Buffer
	started bool
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if w.started || w.status != 0 {
		return
	}
	if code >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.status = code
		return
	}
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	if w.status != 0 {
		if w.text.Len() < 4096 {
			w.text.Write(b)
		}
		return len(b), nil
	}
	w.started = true
	return w.ResponseWriter.Write(b)
}

func (w *jsonErrorWriter) finish() {
	if w.status == 0 {
		return
	}
	fr, en := conversation.StatusText(w.status)
	if a, b, ok := strings.Cut(strings.TrimSpace(w.text.String()), " / "); ok && a != "" && b != "" {
		fr, en = a, b
	}
	conversation.WriteError(w.ResponseWriter, w.status, fr, en)
}

// Flush lets a streaming handler through (an error is never streamed).
func (w *jsonErrorWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && w.status == 0 {
		f.Flush()
	}
}

func (w *jsonErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// jsonErrorListener wraps a listener so that the few responses net/http
// writes itself, before any handler runs (400 for a malformed request, 431
// for headers over MaxHeaderBytes, 501 for an unknown transfer coding), are
// the bilingual JSON too. net/http writes each in one Write of a fixed form
// (status line, these two headers, a text body), which no handler's
// response has: those always carry a Date header.
type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &jsonErrorConn{Conn: c}, nil
}

type jsonErrorConn struct{ net.Conn }

var rawError = regexp.MustCompile(`\AHTTP/1\.1 (4\d\d|5\d\d) [^\r\n]*\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n`)

func (c *jsonErrorConn) Write(b []byte) (int, error) {
	m := rawError.FindSubmatch(b)
	if m == nil {
		return c.Conn.Write(b)
	}
	code, _ := strconv.Atoi(string(m[1]))
	fr, en := conversation.StatusText(code)
	switch code {
	case http.StatusBadRequest:
		fr, en = "Requête HTTP mal formée.", "Malformed HTTP request."
	case http.StatusRequestHeaderFieldsTooLarge:
		fr, en = fmt.Sprintf("En-têtes trop volumineux : %d Ko au maximum.", maxHeaderBytes>>10),
			fmt.Sprintf("Request headers too large: %d KB at most.", maxHeaderBytes>>10)
	case http.StatusNotImplemented:
		fr, en = "Transfer-Encoding non pris en charge.", "Unsupported Transfer-Encoding."
	}
	body, _ := json.Marshal(conversation.ErrorJSON{Error: fr + " / " + en, ErrorFR: fr, ErrorEN: en})
	body = append(body, '\n')
	resp := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		code, http.StatusText(code), len(body))
	if _, err := c.Conn.Write(append([]byte(resp), body...)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// CloseWrite lets net/http half-close after a 431, as it does on a bare TCP
// connection.
func (c *jsonErrorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
