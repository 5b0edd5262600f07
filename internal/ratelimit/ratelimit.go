// Package ratelimit keeps one token bucket per key (a client address, a
// chat session) so that one client cannot starve the others, and finds a
// request's client address behind the reverse proxies an operator trusts.
package ratelimit

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is one bucket's shape: Events per Per, up to Burst at once. The
// zero Limit is off.
type Limit struct {
	Events int
	Per    time.Duration
	Burst  int
}

// Off reports whether l limits nothing.
func (l Limit) Off() bool { return l.Events <= 0 || l.Per <= 0 }

// String is the form ParseLimit reads.
func (l Limit) String() string {
	if l.Off() {
		return "off"
	}
	return fmt.Sprintf("%d/%s", l.Events, l.Per)
}

// ParseLimit reads "30/1m" (30 events a minute), "5/s", or "off".
func ParseLimit(s string) (Limit, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") || s == "0" {
		return Limit{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	events, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || events <= 0 {
		return Limit{}, fmt.Errorf("%q: expected N/duration such as 30/1m, or off", s)
	}
	per = strings.TrimSpace(per)
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per // "5/s" reads as 5/1s
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return Limit{}, fmt.Errorf("%q: expected N/duration such as 30/1m, or off", s)
	}
	return Limit{Events: events, Per: d}, nil
}

// MaxKeys bounds the buckets a Keyed holds, whatever the number of
// distinct keys a client invents: about 100 bytes each.
const MaxKeys = 100_000

// Keyed is a set of token buckets, one per key, created on first use. It
// is safe for concurrent use. A bucket that has refilled is the same as a
// new one, so it is forgotten: memory follows the clients active within
// one refill time, capped at MaxKeys.
type Keyed struct {
	limit Limit
	every rate.Limit
	max   int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

// NewKeyed returns buckets of shape l (nil when l is off). A Burst below 1
// is taken as 1.
func NewKeyed(l Limit) *Keyed {
	if l.Off() {
		return nil
	}
	if l.Burst < 1 {
		l.Burst = 1
	}
	return &Keyed{limit: l, every: rate.Limit(float64(l.Events) / l.Per.Seconds()), max: MaxKeys,
		now: time.Now, buckets: map[string]*rate.Limiter{}}
}

// refill is how long an empty bucket takes to fill again.
func (k *Keyed) refill() time.Duration {
	return time.Duration(float64(k.limit.Burst) / float64(k.every) * float64(time.Second))
}

// Allow takes one token from key's bucket. When there is none, it takes
// nothing and says how long until there is one. A nil Keyed allows all.
func (k *Keyed) Allow(key string) (ok bool, retryAfter time.Duration) {
	ok, retryAfter, _ = k.Take(key)
	return ok, retryAfter
}

// Take is Allow that can be undone: giveBack returns the token, for a
// request that a later, narrower limit refuses (a runaway session must not
// drain the bucket of the address it shares with colleagues).
func (k *Keyed) Take(key string) (ok bool, retryAfter time.Duration, giveBack func()) {
	if k == nil {
		return true, 0, func() {}
	}
	now := k.now()
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.buckets[key]
	if b == nil {
		if len(k.buckets) >= k.max {
			k.sweep(now)
		}
		b = rate.NewLimiter(k.every, k.limit.Burst)
		k.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d, func() {}
	}
	// Cancelled as of the reservation's own time: the library restores
	// only reservations whose time has not passed.
	return true, 0, func() { r.CancelAt(now) }
}

// sweep forgets the buckets that have refilled; when every bucket is still
// draining (more clients at once than MaxKeys), it forgets half of them
// instead: those clients start afresh, which errs on the side of serving.
func (k *Keyed) sweep(now time.Time) {
	if now.Sub(k.swept) >= k.refill()/4 {
		k.swept = now
		for key, b := range k.buckets {
			if b.TokensAt(now) >= float64(k.limit.Burst) {
				delete(k.buckets, key)
			}
		}
	}
	if len(k.buckets) < k.max {
		return
	}
	for key := range k.buckets {
		if len(k.buckets) < k.max/2 {
			break
		}
		delete(k.buckets, key)
	}
}

// Len is the number of buckets held (tests, metrics).
func (k *Keyed) Len() int {
	if k == nil {
		return 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// RetryAfter is the Retry-After header value for d: whole seconds, at
// least 1, rounded up so that a client that waits that long is served.
func RetryAfter(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		return 1
	}
	return s
}

// ParsePrefixes reads a comma- or space-separated list of addresses and
// CIDR prefixes ("10.0.0.0/8, 192.0.2.7, ::1").
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q: expected an address or a CIDR prefix such as 10.0.0.0/8", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q: expected an address or a CIDR prefix such as 10.0.0.0/8", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Proxies are the reverse proxies whose X-Forwarded-For is believed.
type Proxies []netip.Prefix

func (p Proxies) trusted(a netip.Addr) bool {
	for _, pre := range p {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address of the client that sent r. Without trusted
// proxies it is the connection's peer, and X-Forwarded-For is ignored
// (anyone can write it). When the peer is a trusted proxy, the header is
// read from the right (the entry the nearest proxy appended) and the first
// address that is not itself a trusted proxy is the client; an entry that
// is not an address ends the walk at the last trusted hop.
func (p Proxies) ClientAddr(r *http.Request) netip.Addr {
	peer := addrOf(r.RemoteAddr)
	if !peer.IsValid() || !p.trusted(peer) {
		return peer
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a := addrOf(strings.TrimSpace(parts[j]))
			if !a.IsValid() {
				return client
			}
			client = a
			if !p.trusted(a) {
				return a
			}
		}
	}
	return client
}

// addrOf reads "host:port", "[v6]:port" or a bare address; IPv4-mapped
// IPv6 is unmapped so that one client has one key.
func addrOf(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

// AddrKey is the bucket key of a client address: an IPv4 address, or the
// /64 network of an IPv6 one (one host usually holds a whole /64, and could
// otherwise take a new address for every request).
func AddrKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
