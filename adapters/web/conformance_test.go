package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qc-ia/conformbot/adapters/adaptertest"
	"github.com/qc-ia/conformbot/conversation"
)

// webDriver plays the chat page: POST /api/chat and its JSON reply.
type webDriver struct {
	s   *Server
	mux *http.ServeMux
}

func (d *webDriver) post(t testing.TB, user string, req map[string]string) adaptertest.Out {
	t.Helper()
	req["session"] = "conformance-" + user + "-0123456789"
	r := httptest.NewRequest(http.MethodPost, "/api/chat", strings.NewReader(body(req)))
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	d.mux.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		var e conversation.ErrorJSON
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		return adaptertest.Out{Text: e.Error, Messages: 1}
	}
	var rep replyJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("reply is not JSON: %v", err)
	}
	o := adaptertest.Out{Text: rep.Text, Messages: 1}
	add := func(a actionJSON) {
		if a.ID != "" {
			o.Buttons = append(o.Buttons, adaptertest.Button{Label: a.Label, Ref: a.ID})
		}
	}
	if rep.Question != nil {
		for _, c := range rep.Question.Choices {
			add(c)
		}
	}
	for _, s := range rep.Suggestions {
		add(s.Action)
	}
	for _, a := range rep.Actions {
		add(a)
	}
	return o
}

func (d *webDriver) Send(t testing.TB, user, text string) adaptertest.Out {
	return d.post(t, user, map[string]string{"text": text})
}

func (d *webDriver) Click(t testing.TB, user string, b adaptertest.Button) adaptertest.Out {
	return d.post(t, user, map[string]string{"action": b.Ref})
}

func (d *webDriver) Shutdown(ctx context.Context) error { return d.s.Shutdown(ctx) }

func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T, h *adaptertest.Handler) adaptertest.Driver {
		s := New(h, nil)
		mux := http.NewServeMux()
		if err := s.Start(context.Background(), mux); err != nil {
			t.Fatal(err)
		}
		return &webDriver{s: s, mux: mux}
	})
}
