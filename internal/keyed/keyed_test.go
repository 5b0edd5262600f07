package keyed

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
)

func reference(key []byte, s string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

// The pooled states give what a fresh HMAC gives, whatever ran before on
// them and however many goroutines share them.
func TestHexMatchesHMAC(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	mine := []byte(string(key))
	k := New(mine)
	mine[0] = 'X' // New copied it
	tests := []struct {
		in string
		n  int
	}{{"", 0}, {"web\x00abc\x00\x00abc", 0}, {"é😀", 6}, {"a", 32}, {"a", 40}, {"b", -1}}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				for _, tc := range tests {
					want := reference(key, tc.in)
					if tc.n > 0 && tc.n < 32 {
						want = want[:2*tc.n]
					}
					if got := k.Hex(tc.in, tc.n); got != want {
						t.Errorf("Hex(%q, %d) = %s; want %s", tc.in, tc.n, got, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkHex(b *testing.B) {
	k := New(make([]byte, 32))
	b.ReportAllocs()
	for b.Loop() {
		k.Hex("web\x000123456789abcdef0123456789abcdef\x00\x000123456789abcdef0123456789abcdef", 0)
	}
}

func BenchmarkFreshHMAC(b *testing.B) {
	key := make([]byte, 32)
	b.ReportAllocs()
	for b.Loop() {
		reference(key, "web\x000123456789abcdef0123456789abcdef\x00\x000123456789abcdef0123456789abcdef")
	}
}
