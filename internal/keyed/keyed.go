// Package keyed computes HMAC-SHA256 under one key for many messages. A
// fresh HMAC hashes the padded key before each message; the states here are
// kept and reset, which replays the keyed state without hashing it again.
package keyed

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// Hash is safe for concurrent use.
type Hash struct {
	pool sync.Pool
}

// New returns a Hash under key (copied).
func New(key []byte) *Hash {
	key = append([]byte(nil), key...)
	return &Hash{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// Hex is the HMAC of s, in hex, keeping the first n bytes of the sum
// (n <= 0 or over 32: all of it).
func (k *Hash) Hex(s string, n int) string {
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(s))
	var buf [sha256.Size]byte
	sum := h.Sum(buf[:0])
	k.pool.Put(h)
	if n > 0 && n < len(sum) {
		sum = sum[:n]
	}
	return hex.EncodeToString(sum)
}
