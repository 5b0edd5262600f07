package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The signature check on any headers and body: only the key's own
// signature passes, and nothing panics.
func FuzzVerify(f *testing.F) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	a := &Adapter{publicKey: pub, now: func() time.Time { return now }}
	ts := strconv.FormatInt(now.Unix(), 10)
	body := `{"type":1}`
	good := hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body)))
	f.Add(good, ts, body)
	f.Add(good, ts, body+" ")
	f.Add("zz", ts, body)
	f.Add(good, "-9999999999999999999", body)
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, sig, ts, body string) {
		h := http.Header{}
		h.Set("X-Signature-Ed25519", sig)
		h.Set("X-Signature-Timestamp", ts)
		ok := a.verify(h, []byte(body))
		if ok {
			raw, err := hex.DecodeString(sig)
			if err != nil || !ed25519.Verify(pub, []byte(ts+body), raw) {
				t.Fatalf("verify accepted a forged signature %q for %q", sig, ts+body)
			}
		}
	})
}

// Any interaction JSON Discord (or a forger with the key) could send:
// turned into a message or refused, never a panic.
func FuzzInteractionMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":2,"id":"1","application_id":"a","token":"t","guild_id":"g","channel_id":"c","member":{"user":{"id":"u"}},"data":{"id":"d","name":"ia","options":[{"name":"question","type":3,"value":"Puis-je utiliser Copilot?"}]}}`,
		`{"type":3,"id":"1","token":"t","channel_id":"c","user":{"id":"u"},"data":{"custom_id":"dlg:organisme_public:yes","component_type":2}}`,
		`{"type":2,"data":{"options":[{"type":3,"value":null}]}}`,
		`{"type":1}`, `{"type":4}`, `{"type":3,"data":{}}`, `{}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var i discordgo.Interaction
		if err := json.Unmarshal([]byte(s), &i); err != nil {
			return
		}
		if m, ok := interactionMessage(&i); ok {
			_ = kind(m)
		}
		_ = deferredType(&i)
	})
}
