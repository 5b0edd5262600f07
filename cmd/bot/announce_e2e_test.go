package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qc-ia/conformbot/adapters/teams/teamstest"
	"github.com/qc-ia/conformbot/internal/testlog"
)

// discordSide is Discord's REST API as the bot sees it: channel messages
// are recorded, anything else (the gateway's URL) fails.
type discordSide struct {
	srv   *httptest.Server
	posts chan discordPost
}

type discordPost struct {
	Path    string
	Content string `json:"content"`
}

func newDiscordSide(t testing.TB) *discordSide {
	d := &discordSide{posts: make(chan discordPost, 20)}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages") {
			p := discordPost{Path: r.URL.Path}
			_ = json.NewDecoder(r.Body).Decode(&p)
			d.posts <- p
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"id":"900","channel_id":"3"}`)
			return
		}
		http.Error(w, `{"message":"not here"}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(d.srv.Close)
	return d
}

// TestAnnouncementsEndToEnd is the compliance officer's loop as it runs:
// `bot serve` with Slack, Teams and Discord on fakes of each platform; a
// channel of each subscribes; an answer is edited in a copy of the FAQ;
// the running bot reloads it without a restart and each channel gets one
// message saying what changed, with the new text.
func TestAnnouncementsEndToEnd(t *testing.T) {
	t.Parallel()
	faqDir := t.TempDir()
	if err := copyYAML("../../faq/data", faqDir); err != nil {
		t.Fatal(err)
	}
	slackAPI := newSlackSide(t)
	ka, _, _ := teamstest.Keys()
	teams := &teamsSide{
		id:     teamstest.NewIdentity(t, teamstest.PublicJWK("k1", &ka.PublicKey, "msteams")),
		tokens: teamstest.NewTokenServer(t, teamsE2EAppID, "e2e-secret"),
		conn:   teamstest.NewConnector(t),
	}
	discordAPI := newDiscordSide(t)
	pub, priv, _ := ed25519.GenerateKey(nil)

	cfg, err := LoadConfig(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.FAQDir = t.TempDir(), faqDir
	cfg.SlackBotToken, cfg.SlackSigningSecret, cfg.SlackCommand, cfg.SlackAPIURL = "xoxb-e2e", e2eSecret, "/ia", slackAPI.srv.URL+"/api/"
	cfg.TeamsAppID, cfg.TeamsAppPassword, cfg.TeamsTenantID = teamsE2EAppID, "e2e-secret", "tenant-e2e"
	cfg.TeamsOpenIDURL, cfg.TeamsTokenURL = teams.id.OpenIDURL(), teams.tokens.URL()
	cfg.DiscordPublicKey, cfg.DiscordBotToken, cfg.DiscordAPIURL = hex.EncodeToString(pub), "e2e-bot-token", discordAPI.srv.URL

	outR, outW := io.Pipe()
	var logs testlog.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: outW, Stderr: &logs, Config: cfg, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() { code <- runServe(ctx, env, []string{"--addr", "127.0.0.1:0"}); outW.Close() }()
	base := ""
	for sc := bufio.NewScanner(outR); base == "" && sc.Scan(); {
		if rest, ok := strings.CutPrefix(sc.Text(), "Web chat ready: open "); ok {
			base = strings.Fields(rest)[0]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if base == "" {
		t.Fatalf("bot serve did not start; log:\n%s", logs.String())
	}
	post := func(r *http.Request) string {
		t.Helper()
		u, _ := url.Parse(base + r.URL.Path)
		r.URL, r.RequestURI, r.Host = u, "", u.Host
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d %s", r.URL.Path, res.StatusCode, b)
		}
		return string(b)
	}
	const subscribed = "ce canal recevra un message"

	// Slack: /ia abonner in channel C1 (answered inline).
	if got := post(slashCommand(slackAPI, "U1", "abonner", "r1")); !strings.Contains(got, subscribed) {
		t.Fatalf("Slack /ia abonner: %s", got)
	}
	// Teams: « abonner » in a channel thread.
	act := teams.activity("message", "1700000000001", "u1", "19:chan@thread.tacv2;messageid=1700000000000")
	act["text"] = "<at>Directive IA</at> abonner"
	body, _ := json.Marshal(act)
	r := httptest.NewRequest(http.MethodPost, "/api/messages", bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+teamstest.Sign(t, ka, "k1", teamstest.Claims(teamsE2EAppID, teams.conn.ServiceURL(), time.Now())))
	post(r)
	if text, _ := teamsCard(t, teams.conn.Next(t)); !strings.Contains(text, subscribed) {
		t.Fatalf("Teams abonner: %s", text)
	}
	// Discord: /abonner in channel 3.
	ibody := []byte(`{"id":"1","application_id":"1","type":2,"token":"t","version":1,"channel_id":"3","guild_id":"4","locale":"fr",` +
		`"member":{"user":{"id":"2","username":"agent"}},"data":{"id":"9","name":"abonner","type":1}}`)
	r = httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(ibody))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	r.Header.Set("X-Signature-Timestamp", ts)
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), ibody...))))
	if got := post(r); !strings.Contains(got, subscribed) {
		t.Fatalf("Discord /abonner: %s", got)
	}

	// The officer edits an official answer in the FAQ folder, once bot
	// serve watches it.
	for !strings.Contains(logs.String(), "watching the content directories") {
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("cancelled")
		}
	}
	file := filepath.Join(faqDir, "08-duree-suspension.yaml")
	orig, _ := os.ReadFile(file)
	const newText = "La suspension demeure active jusqu'à nouvel avis du MCN (texte modifié pour l'essai)."
	edited := strings.Replace(string(orig), "La suspension est active jusqu'à ce que", newText+" Auparavant : la suspension est active jusqu'à ce que", 1)
	if edited == string(orig) {
		t.Fatal("the answer to edit was not found")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	edit := time.Now()

	wait := func(what string, got func() (string, bool)) string {
		t.Helper()
		// The reload retrains the model: seconds, a minute or more under
		// -race on a loaded machine.
		deadline := time.After(3 * time.Minute)
		for {
			if s, ok := got(); ok {
				return s
			}
			select {
			case <-deadline:
				t.Fatalf("no announcement on %s; log:\n%s", what, logs.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	s := wait("Slack", func() (string, bool) {
		select {
		case m := <-slackAPI.posts:
			if m.Channel != "C1" || m.Thread != "" {
				t.Errorf("Slack announcement posted to %q/%q; want channel C1, no thread", m.Channel, m.Thread)
			}
			return blocksText(m.Blocks), true
		default:
			return "", false
		}
	})
	tm := wait("Teams", func() (string, bool) {
		select {
		case p := <-teams.conn.Got:
			if want := "/teams/v3/conversations/" + url.PathEscape("19:chan@thread.tacv2") + "/activities"; p.Path != want {
				t.Errorf("Teams announcement posted to %s; want %s", p.Path, want)
			}
			text, _ := teamsCard(t, p)
			return text, true
		default:
			return "", false
		}
	})
	d := wait("Discord", func() (string, bool) {
		select {
		case p := <-discordAPI.posts:
			if !strings.HasSuffix(p.Path, "/channels/3/messages") {
				t.Errorf("Discord announcement posted to %s; want channel 3", p.Path)
			}
			return p.Content, true
		default:
			return "", false
		}
	})
	t.Logf("edit to the three announcements: %v (quiet time, reload with retraining, delivery)", time.Since(edit).Round(time.Millisecond))
	for name, got := range map[string]string{"Slack": s, "Teams": tm, "Discord": d} {
		for _, want := range []string{"Le contenu officiel a changé", "Réponse modifiée", newText} {
			if !strings.Contains(got, want) {
				t.Errorf("%s announcement lacks %q:\n%s", name, want, got)
			}
		}
	}
	cancel()
	if c := <-code; c != exitOK {
		t.Errorf("exit code %d; log:\n%s", c, logs.String())
	}
	// One message each: nothing more was posted, nothing is left queued.
	for name, n := range map[string]int{"Slack": len(slackAPI.posts), "Teams": len(teams.conn.Got), "Discord": len(discordAPI.posts)} {
		if n != 0 {
			t.Errorf("%s got %d more messages; want one announcement", name, n)
		}
	}
	st := openSQLite(t, cfg.DataDir)
	if ds, err := st.ClaimDeliveries(context.Background(), []string{"slack", "teams", "discord"}, 10, time.Minute); len(ds) != 0 || err != nil {
		t.Errorf("deliveries left in the store: %+v, %v", ds, err)
	}
}
