package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/qc-ia/conformbot/conversation"
)

func TestSignatureRejected(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	h := newHarness(t, eng)
	body := commandForm("question", "r0", h.fake)
	event := []byte(`{"type":"url_verification","challenge":"abc"}`)
	cases := []struct {
		name, path string
		body       []byte
		prepare    func(r *http.Request)
		want       int
	}{
		{"bad signature", "/slack/commands", body, func(r *http.Request) {
			r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32))
		}, 401},
		{"wrong secret", "/slack/events", event, func(r *http.Request) {
			sign(r, "not-the-secret", event, time.Now())
		}, 401},
		{"replay older than 5 minutes", "/slack/commands", body, func(r *http.Request) {
			sign(r, testSecret, body, time.Now().Add(-6*time.Minute))
		}, 401},
		{"timestamp in the future", "/slack/interactions", body, func(r *http.Request) {
			sign(r, testSecret, body, time.Now().Add(6*time.Minute))
		}, 401},
		{"missing headers", "/slack/events", event, func(r *http.Request) {
			r.Header.Del("X-Slack-Signature")
			r.Header.Del("X-Slack-Request-Timestamp")
		}, 401},
		{"body changed after signing", "/slack/events", event, func(r *http.Request) {
			sign(r, testSecret, []byte(`{"type":"url_verification","challenge":"xyz"}`), time.Now())
		}, 401},
		{"valid", "/slack/events", event, func(*http.Request) {}, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+c.path, strings.NewReader(string(c.body)))
			sign(req, testSecret, c.body, time.Now())
			c.prepare(req)
			res, err := h.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != c.want {
				t.Errorf("status = %d, want %d", res.StatusCode, c.want)
			}
		})
	}
	if n := eng.calls.Load(); n != 0 {
		t.Errorf("engine called %d times by unsigned requests", n)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeEngine())
	big := []byte(strings.Repeat("a", maxBody+1))
	if code, _ := h.post(t, "/slack/events", "application/json", big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", code)
	}
}

func TestURLVerification(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeEngine())
	code, body := h.post(t, "/slack/events", "application/json",
		[]byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	if code != 200 || body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("got %d %q, want the challenge", code, body)
	}
}

func TestSlashCommandAnswerAndShare(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	eng.seen = make(chan conversation.Message, 10)
	h := newHarness(t, eng)
	code, body := h.post(t, "/slack/commands", formType, commandForm("  c'est quoi un système d'IA ?  ", "r1", h.fake))
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	m := <-eng.seen
	want := conversation.Message{Platform: "slack", UserID: "T1:U1", ConversationID: "C1", Text: "c'est quoi un système d'IA ?",
		Channel: conversation.Channel{ID: "C1"}}
	if m != want {
		t.Errorf("engine got %+v, want %+v", m, want)
	}
	got := inline(t, body)
	if got.ResponseType != "ephemeral" {
		t.Errorf("response_type = %q, want ephemeral", got.ResponseType)
	}
	txt := texts(got.Blocks)
	for _, w := range []string{
		"*Qu'est-ce qu'un système d'IA?*",
		"Voir le <https://www.quebec.ca/guide?a=1&amp;b=2|guide> &amp; la &lt;directive&gt;.",
		"Source : FAQ IA-RI-2025-001-OP, MCN, 18 mars 2025",
	} {
		if !strings.Contains(txt, w) {
			t.Errorf("answer lacks %q:\n%s", w, txt)
		}
	}
	if !strings.Contains(txt, "✉️ <mailto:encadrement.ia@mcn.gouv.qc.ca?subject=Question|Écrire au MCN>") {
		t.Errorf("mailto action not shown as a link:\n%s", txt)
	}
	if b := findButton(t, got.Blocks, "Guide"); b.URL != "https://www.quebec.ca/guide" || b.Value != "" {
		t.Errorf("web link button = %+v, want a url button", b)
	}
	if b := findButton(t, got.Blocks, "Utile"); b.Value != "fb:up" {
		t.Errorf("feedback button value = %q, want the engine's id", b.Value)
	}

	// Share: the same answer, in the channel, credited to the user.
	share := findButton(t, got.Blocks, "Partager dans le canal")
	if code, _ := h.post(t, "/slack/interactions", formType, click(h.fake, "U1", share, true, "r2")); code != 200 {
		t.Fatalf("share click status %d", code)
	}
	p := next(t, h.fake.responses, "shared answer")
	if p.ResponseType != "in_channel" || p.Replace {
		t.Errorf("share posted %q replace=%v, want in_channel, not replacing", p.ResponseType, p.Replace)
	}
	st := texts(p.Blocks)
	if !strings.Contains(st, "Partagé par <@U1>") || !strings.Contains(st, "&amp; la &lt;directive&gt;") {
		t.Errorf("shared message:\n%s", st)
	}
	if len(buttons(p.Blocks)) != 0 {
		t.Errorf("shared copy has buttons: %v", buttons(p.Blocks))
	}
	if n := eng.calls.Load(); n != 1 {
		t.Errorf("engine called %d times, want 1 (sharing does not ask again)", n)
	}
}

// A slow engine: the command is acknowledged empty within the budget and the
// answer follows through response_url, exactly once.
func TestSlashCommandSlowAnswerFollows(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	h := newHarness(t, conversation.HandlerFunc(func(ctx context.Context, m conversation.Message) (conversation.Reply, error) {
		<-release
		return conversation.Reply{Lang: "fr", Text: []string{"réponse tardive"}}, nil
	}), func(o *Options) { o.InlineBudget = time.Millisecond })
	code, body := h.post(t, "/slack/commands", formType, commandForm("lente", "slow", h.fake))
	close(release)
	if code != 200 || body != "" {
		t.Fatalf("ack = %d %q, want an empty 200", code, body)
	}
	p := next(t, h.fake.responses, "late answer")
	if p.Path != "/response/slow" || p.ResponseType != "ephemeral" || !strings.Contains(texts(p.Blocks), "réponse tardive") {
		t.Errorf("late answer = %+v", p)
	}
	h.a.Wait()
	if n := len(h.fake.responses); n != 0 {
		t.Errorf("%d extra responses", n)
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	h := newHarness(t, eng)
	form := strings.Replace(string(commandForm("x", "r", h.fake)), "command=%2Fia", "command=%2Fautre", 1)
	_, body := h.post(t, "/slack/commands", formType, []byte(form))
	if !strings.Contains(texts(inline(t, body).Blocks), "Je ne connais pas cette commande") || eng.calls.Load() != 0 {
		t.Errorf("unknown command answered %q", body)
	}
}

func TestEligibilityDialogThroughBlockActions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeEngine())
	_, body := h.post(t, "/slack/commands", formType, commandForm("admissibilite", "d0", h.fake))
	q1 := inline(t, body)
	if !strings.Contains(texts(q1.Blocks), "*Question 1*") {
		t.Fatalf("first question:\n%s", texts(q1.Blocks))
	}
	yes := findButton(t, q1.Blocks, "Oui")
	if yes.Value != "dlg:1:oui" || !strings.HasPrefix(yes.BlockID, dialogBlock) {
		t.Fatalf("choice button = %+v", yes)
	}
	h.post(t, "/slack/interactions", formType, click(h.fake, "U1", yes, true, "d1"))
	q2 := next(t, h.fake.responses, "second question")
	if !q2.Replace || !strings.Contains(texts(q2.Blocks), "*Question 2*") ||
		!strings.Contains(texts(q2.Blocks), "_Pourquoi cette question ?_ La FAQ distingue ce cas.") {
		t.Fatalf("second question (replace=%v):\n%s", q2.Replace, texts(q2.Blocks))
	}
	no := findButton(t, q2.Blocks, "Non")
	h.post(t, "/slack/interactions", formType, click(h.fake, "U1", no, true, "d2"))
	v := next(t, h.fake.responses, "verdict")
	vt := texts(v.Blocks)
	if !v.Replace || !strings.Contains(vt, "*Usage individuel permis*") || !strings.Contains(vt, "• Qu'est-ce qu'un système d'IA?") {
		t.Fatalf("verdict (replace=%v):\n%s", v.Replace, vt)
	}
	findButton(t, v.Blocks, "Partager dans le canal")

	// The same button again: the session moved on; the engine's answer
	// replaces the message, and no second verdict is produced.
	h.post(t, "/slack/interactions", formType, click(h.fake, "U1", no, true, "d3"))
	if again := next(t, h.fake.responses, "stale click answer"); !strings.Contains(texts(again.Blocks), "expiré") {
		t.Errorf("stale click:\n%s", texts(again.Blocks))
	}
}

func TestForeignAndStaleActions(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	h := newHarness(t, eng)
	_, body := h.post(t, "/slack/commands", formType, commandForm("admissibilite", "f0", h.fake))
	yes := findButton(t, inline(t, body).Blocks, "Oui")
	calls := eng.calls.Load()
	cases := []struct {
		name string
		user string
		b    button
	}{
		{"another user's dialog", "U2", yes},
		{"expired share", "U1", button{ActionID: actionShare, Value: "nope", Text: "Partager"}},
		{"empty value", "U1", button{ActionID: "", BlockID: "x", Text: "?"}},
		{"reserved id", "U1", button{ActionID: "x", Value: reservedPrefix + "zzz"}},
		{"too long id", "U1", button{ActionID: "x", Value: strings.Repeat("a", 101)}},
	}
	for i, c := range cases {
		h.post(t, "/slack/interactions", formType, click(h.fake, c.user, c.b, false, fmt.Sprint("s", i)))
		p := next(t, h.fake.responses, c.name)
		if p.Replace || !strings.Contains(texts(p.Blocks), "ne correspond plus") {
			t.Errorf("%s: got replace=%v %q", c.name, p.Replace, texts(p.Blocks))
		}
	}
	// A link button click is only a notification.
	h.post(t, "/slack/interactions", formType, click(h.fake, "U1", button{ActionID: actionLink + "1"}, false, "l"))
	// Not a block action.
	vs, _ := json.Marshal(map[string]any{"type": "view_submission", "user": map[string]any{"id": "U1"}})
	h.post(t, "/slack/interactions", formType, []byte("payload="+string(vs)))
	h.a.Wait()
	if n := eng.calls.Load(); n != calls {
		t.Errorf("engine called %d times for foreign/stale actions", n-calls)
	}
	if n := len(h.fake.responses); n != 0 {
		t.Errorf("%d unexpected responses", n)
	}
	if code, _ := h.post(t, "/slack/interactions", formType, []byte("payload=%7Bnot-json")); code != 400 {
		t.Errorf("malformed payload status %d, want 400", code)
	}
}

func eventBody(eventID, inner string) []byte {
	return []byte(`{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"` + eventID +
		`","event_time":1700000000,"event":` + inner + `}`)
}

func TestRetriedEventAnsweredOnce(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	h := newHarness(t, eng)
	body := eventBody("Ev01", `{"type":"app_mention","user":"U1","text":"<@UBOT> c'est quoi un SIA ?","ts":"1700000000.000200","channel":"C1","event_ts":"1700000000.000200"}`)
	var wg sync.WaitGroup
	for retry := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var hdr []string
			if retry > 0 {
				hdr = []string{"X-Slack-Retry-Num", fmt.Sprint(retry), "X-Slack-Retry-Reason", "http_timeout"}
			}
			if code, _ := h.post(t, "/slack/events", "application/json", body, hdr...); code != 200 {
				t.Errorf("retry %d: status %d", retry, code)
			}
		}()
	}
	wg.Wait()
	p := next(t, h.fake.posts, "answer")
	if p.Channel != "C1" || p.Thread != "1700000000.000200" {
		t.Errorf("posted to %q thread %q, want C1 in the mention's thread", p.Channel, p.Thread)
	}
	h.a.Wait()
	if n := len(h.fake.posts); n != 0 || eng.calls.Load() != 1 {
		t.Errorf("answered %d more times, engine called %d times", n, eng.calls.Load())
	}
}

func TestEventsRouting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, inner string
		answered    bool
		channel     string
		thread      string
		want        conversation.Message
	}{
		{"mention in a thread", `{"type":"app_mention","user":"U1","text":"<@UBOT> définition &amp; portée","ts":"2.0","thread_ts":"1.0","channel":"C1"}`,
			true, "C1", "1.0", conversation.Message{Platform: "slack", UserID: "T1:U1", ConversationID: "C1", ThreadID: "1.0", Text: "définition & portée"}},
		{"direct message", `{"type":"message","channel_type":"im","user":"U1","text":"bonjour <https://x.ca|le lien>","ts":"3.0","channel":"D1"}`,
			true, "D1", "", conversation.Message{Platform: "slack", UserID: "T1:U1", ConversationID: "D1", Text: "bonjour le lien"}},
		{"bare mention", `{"type":"app_mention","user":"U1","text":"<@UBOT>","ts":"4.0","channel":"C1"}`,
			true, "C1", "4.0", conversation.Message{Platform: "slack", UserID: "T1:U1", ConversationID: "C1", ThreadID: "4.0", Action: conversation.ActHelp}},
		{"bot message", `{"type":"message","channel_type":"im","bot_id":"B1","text":"x","ts":"5.0","channel":"D1"}`, false, "", "", conversation.Message{}},
		{"bot_message subtype", `{"type":"message","channel_type":"im","subtype":"bot_message","text":"x","ts":"6.0","channel":"D1"}`, false, "", "", conversation.Message{}},
		{"edit", `{"type":"message","channel_type":"im","subtype":"message_changed","message":{"user":"U1","text":"y","ts":"7.0"},"ts":"7.1","channel":"D1"}`, false, "", "", conversation.Message{}},
		{"delete", `{"type":"message","channel_type":"im","subtype":"message_deleted","deleted_ts":"7.0","ts":"7.2","channel":"D1"}`, false, "", "", conversation.Message{}},
		{"mention by a bot", `{"type":"app_mention","user":"U9","bot_id":"B9","text":"<@UBOT> x","ts":"8.0","channel":"C1"}`, false, "", "", conversation.Message{}},
		{"channel message", `{"type":"message","channel_type":"channel","user":"U1","text":"x","ts":"9.0","channel":"C1"}`, false, "", "", conversation.Message{}},
		{"unknown event", `{"type":"reaction_added","user":"U1","reaction":"+1","item":{"type":"message","channel":"C1","ts":"1.0"},"event_ts":"1.0"}`, false, "", "", conversation.Message{}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			eng := newFakeEngine()
			eng.seen = make(chan conversation.Message, 1)
			h := newHarness(t, eng)
			if code, _ := h.post(t, "/slack/events", "application/json", eventBody(fmt.Sprint("Ev", i), c.inner)); code != 200 {
				t.Fatalf("status %d", code)
			}
			h.a.Wait()
			if !c.answered {
				if eng.calls.Load() != 0 || len(h.fake.posts) != 0 {
					t.Errorf("ignored event was answered")
				}
				return
			}
			c.want.Channel = conversation.Channel{ID: c.channel} // where « abonner » would subscribe
			if m := <-eng.seen; m != c.want {
				t.Errorf("engine got %+v, want %+v", m, c.want)
			}
			p := next(t, h.fake.posts, "answer")
			if p.Channel != c.channel || p.Thread != c.thread {
				t.Errorf("posted to %q/%q, want %q/%q", p.Channel, p.Thread, c.channel, c.thread)
			}
		})
	}
}

func TestAppRateLimitedLogged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeEngine())
	code, _ := h.post(t, "/slack/events", "application/json",
		[]byte(`{"token":"x","type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"}`))
	if code != 200 || !strings.Contains(h.logs.String(), "app_rate_limited") {
		t.Errorf("status %d, logs:\n%s", code, h.logs.String())
	}
}

func TestSlackErrors(t *testing.T) {
	t.Parallel()
	mention := `{"type":"app_mention","user":"U1","text":"<@UBOT> q","ts":"1.0","channel":"C1"}`
	t.Run("429 is retried after Retry-After", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, newFakeEngine())
		h.fake.postHook = func(w http.ResponseWriter, call int32) bool {
			if call == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			}
			return false
		}
		h.post(t, "/slack/events", "application/json", eventBody("E429", mention))
		next(t, h.fake.posts, "answer after 429")
		if n := h.fake.calls.Load(); n != 2 {
			t.Errorf("chat.postMessage called %d times, want 2", n)
		}
	})
	for _, code := range []string{"invalid_auth", "channel_not_found"} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, newFakeEngine())
			h.fake.postHook = func(w http.ResponseWriter, _ int32) bool {
				fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
				return true
			}
			h.post(t, "/slack/events", "application/json", eventBody("E"+code, mention))
			h.a.Wait()
			logs := h.logs.String()
			if !strings.Contains(logs, "code="+code) || !strings.Contains(logs, "hint=") {
				t.Errorf("logs lack a clear %s line:\n%s", code, logs)
			}
		})
	}
}

func TestEngineFailuresArePolite(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		h    conversation.HandlerFunc
		want string
	}{
		{"error", func(context.Context, conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{}, errors.New("boom")
		}, "une erreur est survenue"},
		{"timeout", func(ctx context.Context, _ conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{}, fmt.Errorf("search: %w", context.DeadlineExceeded)
		}, "trop de temps"},
		{"panic", func(context.Context, conversation.Message) (conversation.Reply, error) {
			panic("engine bug")
		}, "une erreur est survenue"},
		{"empty reply", func(context.Context, conversation.Message) (conversation.Reply, error) {
			return conversation.Reply{}, nil
		}, "une erreur est survenue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, c.h, func(o *Options) { o.InlineBudget = time.Minute })
			code, body := h.post(t, "/slack/commands", formType, commandForm("q", "e", h.fake))
			if code != 200 {
				t.Fatalf("status %d", code)
			}
			if c.name == "panic" && !strings.Contains(h.logs.String(), "panic recovered") {
				t.Errorf("panic not logged")
			}
			if c.name == "panic" && strings.Contains(h.logs.String(), "engine bug") {
				t.Errorf("the panic value (which may quote user input) is logged:\n%s", h.logs.String())
			}
			if !strings.Contains(texts(inline(t, body).Blocks), c.want) {
				t.Errorf("answer %q lacks %q", body, c.want)
			}
		})
	}
}

func TestLongAnswerSplitWithoutLoss(t *testing.T) {
	t.Parallel()
	long := longText()
	h := newHarness(t, conversation.HandlerFunc(func(context.Context, conversation.Message) (conversation.Reply, error) {
		return conversation.Reply{Lang: "fr", Answer: &conversation.Answer{Question: "Longue", Text: long,
			Source: conversation.Source{Label: "Source"}}}, nil
	}))
	_, body := h.post(t, "/slack/commands", formType, commandForm("long", "L", h.fake))
	if body != "" {
		t.Fatalf("a reply over 18 KB must not be inline, got %d bytes", len(body))
	}
	var all []string
	msgs := 0
	for {
		p := next(t, h.fake.responses, "part")
		msgs++
		if len(p.Blocks) > maxBlocks {
			t.Errorf("message with %d blocks", len(p.Blocks))
		}
		for _, b := range p.Blocks {
			if tx, ok := b["text"].(map[string]any); ok {
				s := tx["text"].(string)
				if n := slackLen(s); n > maxSectionText {
					t.Errorf("section of %d characters", n)
				}
				all = append(all, s)
			}
		}
		if texts(p.Blocks) != "" && strings.Contains(texts(p.Blocks), "Source") {
			break
		}
	}
	if msgs < 2 {
		t.Errorf("%d messages, want the answer spread over several", msgs)
	}
	got := strings.Join(strings.Fields(strings.Join(all[1:], " ")), " ")
	want := strings.Join(strings.Fields(toMrkdwn(long)), " ")
	if got != want {
		t.Errorf("text lost or changed in splitting: got %d chars, want %d", len(got), len(want))
	}
}

// longText is about 180,000 characters (over 50 sections): paragraphs, a list and one paragraph
// longer than a section with no line break.
func longText() string {
	var b strings.Builder
	for i := range 400 {
		fmt.Fprintf(&b, "Paragraphe %d : la directive s'applique aux systèmes d'IA & aux <outils> décrits à l'article %d. ", i, i)
		b.WriteString(strings.Repeat("Texte officiel cité exactement. ", 10))
		b.WriteString("\n\n- point a\n- point b [lien](https://www.quebec.ca/x?y=1&z=2)\n\n")
	}
	b.WriteString(strings.Repeat("Une phrase très longue sans saut de ligne, ", 200))
	return b.String()
}

// A failed response_url post is logged without the URL: it is a bearer URL
// into the user's conversation.
func TestResponseURLNotLogged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeEngine())
	hook := "http://127.0.0.1:1/commands/T1/42/secret-hook-token"
	h.a.postResponse(context.Background(), hook, ephemeral, false, []message{{Text: "x"}})
	logs := h.logs.String()
	if !strings.Contains(logs, "slack call failed") {
		t.Fatalf("failure not logged:\n%s", logs)
	}
	if strings.Contains(logs, "secret-hook-token") {
		t.Errorf("logs hold the response_url:\n%s", logs)
	}
}

// A slash command's invalid UTF-8 reaches the engine as valid text.
func TestSlashCommandInvalidUTF8(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	eng.seen = make(chan conversation.Message, 10)
	h := newHarness(t, eng)
	code, _ := h.post(t, "/slack/commands", formType, commandForm("caf\xe9 \x80"+strings.Repeat("\xff", 3001), "r1", h.fake))
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	m := <-eng.seen
	if !utf8.ValidString(m.Text) || !strings.HasPrefix(m.Text, "café") || strings.ContainsRune(m.Text, utf8.RuneError) {
		t.Errorf("engine got %q", m.Text)
	}
}
