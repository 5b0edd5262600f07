package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
)

func TestInteractionsRequestChecks(t *testing.T) {
	t.Parallel()
	ping := []byte(`{"id":"1","application_id":"` + testAppID + `","type":1,"token":"t","version":1}`)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		name   string
		method string
		body   []byte
		at     time.Duration // signing time relative to the server's clock
		key    string        // "ours", "other", "" (unsigned)
		tamper bool          // body changed after signing
		want   int
	}{
		{name: "signed ping", body: ping, key: "ours", want: http.StatusOK},
		{name: "unsigned", body: ping, want: http.StatusUnauthorized},
		{name: "signed by another key", body: ping, key: "other", want: http.StatusUnauthorized},
		{name: "body changed after signing", body: ping, key: "ours", tamper: true, want: http.StatusUnauthorized},
		{name: "timestamp 6 minutes old", body: ping, key: "ours", at: -6 * time.Minute, want: http.StatusUnauthorized},
		{name: "timestamp 6 minutes ahead", body: ping, key: "ours", at: 6 * time.Minute, want: http.StatusUnauthorized},
		{name: "timestamp 4 minutes old", body: ping, key: "ours", at: -4 * time.Minute, want: http.StatusOK},
		{name: "signed malformed JSON", body: []byte(`{"type":`), key: "ours", want: http.StatusBadRequest},
		{name: "body too large", body: bytes.Repeat([]byte(" "), maxBodyBytes+1), key: "ours", want: http.StatusRequestEntityTooLarge},
		{name: "GET", method: http.MethodGet, body: nil, want: http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			eng := &recorder{Reply: textReply("ne devrait pas être appelé")}
			r := newRig(t, eng, nil)
			var key ed25519.PrivateKey
			switch tc.key {
			case "ours":
				key = r.priv
			case "other":
				key = otherKey
			}
			req := signedRequest(tc.body, r.now.Add(tc.at), key)
			if tc.method != "" {
				req.Method = tc.method
			}
			if tc.tamper {
				req.Body = httpBody(bytes.Replace(tc.body, []byte(`"type":1`), []byte(`"type":2`), 1))
			}
			w := httptest.NewRecorder()
			r.h.ServeHTTP(w, req)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d (%s)", w.Code, tc.want, w.Body)
			}
			if tc.want == http.StatusOK && strings.TrimSpace(w.Body.String()) != `{"type":1}` {
				t.Errorf("PING answer %s, want {\"type\":1}", w.Body)
			}
			if n := len(eng.Messages()); n != 0 {
				t.Errorf("engine called %d times", n)
			}
			r.rest.none(t)
		})
	}
}

func signedRequest(body []byte, at time.Time, key ed25519.PrivateKey) *http.Request {
	req := httptest.NewRequest(http.MethodPost, InteractionsPath, bytes.NewReader(body))
	if key != nil {
		stamp := itoa(at.Unix())
		req.Header.Set("X-Signature-Ed25519", hexSign(key, stamp, body))
		req.Header.Set("X-Signature-Timestamp", stamp)
	}
	return req
}

func TestNewRejectsBadPublicKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"zz", "abcd", strings.Repeat("a", 63)} {
		if _, err := New(Options{Handler: &recorder{}, PublicKey: k}); err == nil {
			t.Errorf("public key %q accepted", k)
		}
	}
	a, err := New(Options{Handler: &recorder{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.InteractionsHandler(); !errors.Is(err, ErrNoPublicKey) {
		t.Errorf("handler without key: err %v, want ErrNoPublicKey", err)
	}
}

func TestSlashCommandAnsweredInline(t *testing.T) {
	t.Parallel()
	eng := &recorder{Reply: func(m conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{
			Lang: conversation.LangFR,
			Answer: &conversation.Answer{EntryID: "faq-01", Question: "Qu'est-ce que la directive?",
				Text: "Réponse officielle.", Source: conversation.Source{Label: "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"}},
			Actions: []conversation.Action{{ID: "fb:up:faq-01", Label: "Utile"}, {ID: "fb:down:faq-01", Label: "Pas utile"}},
		}, nil
	}}
	r := newRig(t, eng, nil)
	resp := r.interact(t, slashAsk("700", "  C'est quoi la directive?  "))
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("type %d, want 4 (message)", resp.Type)
	}
	for _, want := range []string{"Qu'est-ce que la directive?", "Réponse officielle.", "Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025"} {
		if !strings.Contains(resp.Content, want) {
			t.Errorf("content %q lacks %q", resp.Content, want)
		}
	}
	if got := resp.Buttons; len(got) != 1 || strings.Join(got[0], ",") != "fb:up:faq-01,fb:down:faq-01" {
		t.Errorf("buttons %v, want the two feedback buttons", got)
	}
	msgs := eng.Messages()
	want := conversation.Message{Platform: "discord", UserID: testUser, ConversationID: testChan,
		Text: "C'est quoi la directive?", Locale: "fr", Channel: conversation.Channel{ID: testChan}}
	if len(msgs) != 1 || msgs[0] != want {
		t.Errorf("engine got %+v, want %+v", msgs, want)
	}
	r.a.Wait()
	r.rest.none(t)
}

func TestSlowEngineIsDeferredThenEdited(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		interaction map[string]any
		reply       conversation.Reply
		wantType    discordgo.InteractionResponseType
		wantMethod  string
		wantPath    string
	}{
		{
			name:        "command",
			interaction: slashAsk("801", "question lente"),
			reply:       conversation.Reply{Text: []string{"Réponse tardive."}},
			wantType:    discordgo.InteractionResponseDeferredChannelMessageWithSource,
			wantMethod:  http.MethodPatch, wantPath: "/webhooks/" + testAppID + "/tok-801/messages/@original",
		},
		{
			name:        "dialog button updates its message",
			interaction: click("802", "elig:q2:yes"),
			reply:       conversation.Reply{Question: &conversation.Question{Prompt: "Question 3?", Choices: []conversation.Action{{ID: "elig:q3:yes", Label: "Oui"}}}},
			wantType:    discordgo.InteractionResponseDeferredMessageUpdate,
			wantMethod:  http.MethodPatch, wantPath: "/webhooks/" + testAppID + "/tok-802/messages/@original",
		},
		{
			name:        "feedback button answers in a new message",
			interaction: click("803", "fb:up:faq-01"),
			reply:       conversation.Reply{Text: []string{"Merci!"}},
			wantType:    discordgo.InteractionResponseDeferredMessageUpdate,
			wantMethod:  http.MethodPost, wantPath: "/webhooks/" + testAppID + "/tok-803",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			eng := &recorder{Reply: func(conversation.Message) (conversation.Reply, error) {
				<-release
				return tc.reply, nil
			}}
			r := newRig(t, eng, func(o *Options) { o.InlineBudget = time.Millisecond })
			resp := r.interact(t, tc.interaction)
			if resp.Type != tc.wantType {
				t.Fatalf("type %d, want %d", resp.Type, tc.wantType)
			}
			r.rest.none(t) // nothing sent before the engine answers
			close(release)
			c := r.rest.next(t)
			if c.Method != tc.wantMethod || c.Path != tc.wantPath {
				t.Fatalf("REST %s %s, want %s %s", c.Method, c.Path, tc.wantMethod, tc.wantPath)
			}
			if want := tc.reply.PlainText(); c.Body["content"] != want {
				t.Errorf("content %q, want %q", c.Body["content"], want)
			}
			r.a.Wait()
			r.rest.none(t)
		})
	}
}

func TestLongAnswerIsSplitNeverCut(t *testing.T) {
	t.Parallel()
	// Five paragraphs of about 900 characters: 4,500 characters in all.
	var paras []string
	for p := range 5 {
		paras = append(paras, strings.TrimSpace(strings.Repeat("mot"+itoa(int64(p))+" ", 180)))
	}
	eng := &recorder{Reply: func(conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{
			Answer:  &conversation.Answer{Question: "Titre", Text: strings.Join(paras, "\n\n")},
			Actions: []conversation.Action{{ID: "fb:up", Label: "Utile"}},
		}, nil
	}}
	r := newRig(t, eng, nil)
	resp := r.interact(t, slashAsk("900", "longue"))
	if resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("type %d, want 4", resp.Type)
	}
	if len(resp.Buttons) != 0 {
		t.Errorf("first part carries buttons %v; they belong under the last part", resp.Buttons)
	}
	parts := []string{resp.Content}
	var last restCall
	for len(strings.Join(parts, "\n\n")) < len("Titre\n\n"+strings.Join(paras, "\n\n")) {
		last = r.rest.next(t)
		if last.Method != http.MethodPost || last.Path != "/webhooks/"+testAppID+"/tok-900" || last.Query != "wait=true" {
			t.Fatalf("REST %s %s?%s, want a follow-up", last.Method, last.Path, last.Query)
		}
		parts = append(parts, last.Body["content"].(string))
	}
	for i, p := range parts {
		if n := conversation.UTF16Len(p); n > MaxMessageLen {
			t.Errorf("part %d has %d characters", i, n)
		}
	}
	if got, want := strings.Join(parts, "\n\n"), "Titre\n\n"+strings.Join(paras, "\n\n"); got != want {
		t.Errorf("parts joined differ from the answer:\n got %.200q…\nwant %.200q…", got, want)
	}
	if got := bodyButtons(last.Body); strings.Join(got, ",") != "fb:up" {
		t.Errorf("last part buttons %v, want [fb:up]", got)
	}
	r.a.Wait()
	r.rest.none(t)
}

func TestEngineFailureIsApologizedNotFatal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fn   func(conversation.Message) (conversation.Reply, error)
	}{
		{"error", func(conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{}, errors.New("store unavailable")
		}},
		{"panic", func(conversation.Message) (conversation.Reply, error) { panic("engine bug") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, &recorder{Reply: tc.fn}, nil)
			resp := r.interact(t, slashAsk("950", "x"))
			if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || !strings.HasPrefix(resp.Content, "Désolé, une erreur est survenue") {
				t.Errorf("got type %d %q, want the apology", resp.Type, resp.Content)
			}
			if logs := r.logs.String(); strings.Contains(logs, "engine bug") {
				t.Errorf("the panic value (which may quote user input) is logged:\n%s", logs)
			}
		})
	}
}

func TestUnknownInteractionsGetANotice(t *testing.T) {
	t.Parallel()
	eng := &recorder{Reply: textReply("non")}
	r := newRig(t, eng, nil)
	unknownCmd := slashAsk("960", "x")
	unknownCmd["data"].(map[string]any)["name"] = "autre"
	autocomplete := slashAsk("961", "x")
	autocomplete["type"] = 4
	for _, i := range []map[string]any{unknownCmd, autocomplete} {
		resp := r.interact(t, i)
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource || resp.Flags != discordgo.MessageFlagsEphemeral ||
			!strings.Contains(resp.Content, "Je ne connais pas cette commande") {
			t.Errorf("got %+v, want an ephemeral notice", resp)
		}
	}
	if n := len(eng.Messages()); n != 0 {
		t.Errorf("engine called %d times", n)
	}
}

// The logs never hold the user's text or id, nor an interaction token.
func TestLogsHoldNoTextOrIDs(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	eng := &recorder{Reply: func(conversation.Message) (conversation.Reply, error) {
		<-release // slower than the budget: deferred, then an edit that fails
		return conversation.Reply{}, errors.New("boom")
	}}
	r := newRig(t, eng, func(o *Options) { o.InlineBudget = time.Millisecond })
	r.rest.status = func(restCall, int) (int, string) {
		return http.StatusNotFound, `{"message":"Unknown Webhook","code":10015}`
	}
	r.interact(t, slashAsk("970", "secret question de Josée"))
	close(release)
	r.a.Wait()
	logs := r.logs.String()
	for _, secret := range []string{"secret question", testUser, "tok-970"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs hold %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "engine call failed") || !strings.Contains(logs, "editing the interaction response failed") {
		t.Errorf("logs lack the failures:\n%s", logs)
	}
}

func BenchmarkInteractionsEndpoint(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	now := time.Unix(1_800_000_000, 0)
	a, err := New(Options{
		Handler: conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{Text: []string{"ok"}}, nil
		}),
		PublicKey: hexKey(pub),
		Now:       func() time.Time { return now },
	})
	if err != nil {
		b.Fatal(err)
	}
	h, _ := a.InteractionsHandler()
	body, _ := json.Marshal(slashAsk("1", "Qu'est-ce que la directive?"))
	stamp := itoa(now.Unix())
	sig := hexSign(priv, stamp, body)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, InteractionsPath, bytes.NewReader(body))
		req.Header.Set("X-Signature-Ed25519", sig)
		req.Header.Set("X-Signature-Timestamp", stamp)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
