package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/qc-ia/conformbot/conversation"
)

const (
	// InteractionsPath is where Discord posts interactions (set it as the
	// Interactions Endpoint URL in the Developer Portal).
	InteractionsPath = "/discord/interactions"
	// maxBodyBytes bounds an interaction: a button click carries the whole
	// message it sits on (2,000 characters, components), far below this.
	maxBodyBytes = 256 << 10
	// maxClockSkew is the age (either way) past which a signed request is
	// taken for a replay.
	maxClockSkew = 5 * time.Minute
)

// ErrNoPublicKey is returned by InteractionsHandler without a public key.
var ErrNoPublicKey = errors.New("discord : DISCORD_PUBLIC_KEY manquant / missing DISCORD_PUBLIC_KEY")

// InteractionsHandler serves POST /discord/interactions: the Ed25519
// signature and the timestamp's age are checked before anything is parsed
// (401 otherwise), PING is answered, commands and buttons go through the
// same core as the gateway's.
func (a *Adapter) InteractionsHandler() (http.Handler, error) {
	if a.publicKey == nil {
		return nil, ErrNoPublicKey
	}
	return a.rt.Guard(http.HandlerFunc(a.serveInteraction)), nil
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST seulement / POST only", http.StatusMethodNotAllowed)
		return
	}
	body, ok := conversation.ReadBody(w, r, maxBodyBytes)
	if !ok {
		return
	}
	if !a.verify(r.Header, body) {
		a.log.Warn("interaction refused: bad signature or stale timestamp")
		http.Error(w, "signature invalide / invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "interaction illisible / malformed interaction", http.StatusBadRequest)
		return
	}
	resp, rest := a.respond(&i)
	out, err := json.Marshal(resp)
	if err != nil {
		a.log.Error("encoding the interaction response failed", "err", err)
		http.Error(w, "erreur interne / internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
	if rest != nil {
		// Follow-ups need the initial response delivered first.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		a.goSafe("follow-up", rest)
	}
}

// verify checks the Ed25519 signature of timestamp+body with the
// application's public key, then the timestamp's age: a signature is only
// good for maxClockSkew, so a captured request cannot be replayed later.
func (a *Adapter) verify(h http.Header, body []byte) bool {
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	ts := h.Get("X-Signature-Timestamp")
	if ts == "" {
		return false
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(a.publicKey, msg, sig) {
		return false
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	age := a.now().Sub(time.Unix(secs, 0))
	return age <= maxClockSkew && age >= -maxClockSkew
}
