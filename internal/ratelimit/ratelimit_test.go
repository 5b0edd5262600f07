package ratelimit

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want Limit
		bad  bool
	}{
		{in: "30/1m", want: Limit{Events: 30, Per: time.Minute}},
		{in: " 5/s ", want: Limit{Events: 5, Per: time.Second}},
		{in: "100/10m", want: Limit{Events: 100, Per: 10 * time.Minute}},
		{in: "2/h", want: Limit{Events: 2, Per: time.Hour}},
		{in: "off"},
		{in: "OFF"},
		{in: "0"},
		{in: "30", bad: true},
		{in: "-1/1m", bad: true},
		{in: "x/1m", bad: true},
		{in: "30/", bad: true},
		{in: "30/0s", bad: true},
		{in: "30/soon", bad: true},
	} {
		got, err := ParseLimit(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseLimit(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

// fakeClock is a Keyed's clock that a test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestKeyedBurstThenRefill(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	k := NewKeyed(Limit{Events: 6, Per: time.Minute, Burst: 3}) // one token every 10 s
	k.now = clock.now
	for i := range 3 {
		if ok, _ := k.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := k.Allow("a")
	if ok || wait != 10*time.Second {
		t.Fatalf("4th request: ok %v, retry after %v; want refused, 10s", ok, wait)
	}
	// A refused request takes nothing: asking again at once gives the same wait.
	if ok, again := k.Allow("a"); ok || again != wait {
		t.Fatalf("asked again: ok %v, retry after %v; want refused, %v", ok, again, wait)
	}
	// Another key is not affected.
	if ok, _ := k.Allow("b"); !ok {
		t.Fatal("key b refused because of key a")
	}
	clock.t = clock.t.Add(wait)
	if ok, _ := k.Allow("a"); !ok {
		t.Fatal("refused after waiting Retry-After")
	}
	if ok, _ := k.Allow("a"); ok {
		t.Fatal("one token refilled, two taken")
	}
}

func TestKeyedOff(t *testing.T) {
	t.Parallel()
	k := NewKeyed(Limit{})
	for range 1000 {
		if ok, _ := k.Allow("a"); !ok {
			t.Fatal("an off limit refused a request")
		}
	}
}

// Memory stays bounded whatever the number of keys a client invents, and
// forgetting a full bucket changes nothing for its client.
func TestKeyedBounded(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	k := NewKeyed(Limit{Events: 1, Per: time.Second, Burst: 2})
	k.now, k.max = clock.now, 1000
	for i := range 10 * k.max {
		k.Allow(fmt.Sprint("k", i))
		if n := k.Len(); n > k.max {
			t.Fatalf("%d buckets held, cap %d", n, k.max)
		}
	}
	// Buckets that refilled are swept first: a client still draining keeps its bucket.
	k2 := NewKeyed(Limit{Events: 1, Per: time.Second, Burst: 2})
	k2.now, k2.max = clock.now, 100
	k2.Allow("busy")
	k2.Allow("busy")
	for i := range k2.max - 1 {
		k2.Allow(fmt.Sprint("idle", i))
	}
	clock.t = clock.t.Add(1500 * time.Millisecond) // idle buckets full again, busy not
	k2.Allow("new")
	if k2.Len() != 2 {
		t.Fatalf("%d buckets after the sweep, want busy and new", k2.Len())
	}
	if ok, _ := k2.Allow("busy"); !ok {
		t.Fatal("busy should have 1.5 tokens")
	}
	if ok, _ := k2.Allow("busy"); ok {
		t.Fatal("busy's bucket was forgotten by the sweep")
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]int{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 59*time.Second + 1: 60} {
		if got := RetryAfter(d); got != want {
			t.Errorf("RetryAfter(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	proxies, err := ParsePrefixes("10.0.0.0/8, 192.0.2.7 ::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		proxies Proxies
		remote  string
		xff     []string
		want    string
	}{
		{name: "no proxy: the peer", remote: "203.0.113.5:4000", want: "203.0.113.5"},
		{name: "no trusted proxy: header ignored", remote: "203.0.113.5:4000", xff: []string{"198.51.100.1"}, want: "203.0.113.5"},
		{name: "untrusted peer: header ignored", proxies: proxies, remote: "203.0.113.5:4000", xff: []string{"198.51.100.1"}, want: "203.0.113.5"},
		{name: "trusted proxy: the client it saw", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "forged left entries are not believed", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "chain of trusted proxies", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"198.51.100.1, 192.0.2.7", "10.9.9.9"}, want: "198.51.100.1"},
		{name: "garbage ends at the last trusted hop", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"198.51.100.1, nonsense, 10.4.4.4"}, want: "10.4.4.4"},
		{name: "trusted proxy without header", proxies: proxies, remote: "10.1.2.3:4000", want: "10.1.2.3"},
		{name: "all trusted: the farthest", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"10.7.7.7"}, want: "10.7.7.7"},
		{name: "IPv6 proxy, IPv4 client with port", proxies: proxies, remote: "[::1]:4000", xff: []string{"198.51.100.1:5555"}, want: "198.51.100.1"},
		{name: "mapped IPv4 peer", remote: "[::ffff:203.0.113.5]:4000", want: "203.0.113.5"},
		{name: "IPv6 client", proxies: proxies, remote: "[::1]:4000", xff: []string{"[2001:db8::1]"}, want: "2001:db8::1"},
	} {
		r := httptest.NewRequest("POST", "/api/chat", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := c.proxies.ClientAddr(r).String(); got != c.want {
			t.Errorf("%s: ClientAddr = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestParsePrefixesRejects(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"10.0.0.0/33", "proxy.local", "10.0.0", "::1/200"} {
		if _, err := ParsePrefixes(s); err == nil {
			t.Errorf("ParsePrefixes(%q) accepted", s)
		}
	}
}

func TestAddrKey(t *testing.T) {
	t.Parallel()
	a := AddrKey(netip.MustParseAddr("2001:db8:1:2:aaaa::1"))
	b := AddrKey(netip.MustParseAddr("2001:db8:1:2:bbbb::9"))
	c := AddrKey(netip.MustParseAddr("2001:db8:1:3::1"))
	if a != b || a == c {
		t.Errorf("IPv6 keys %q %q %q: want one key per /64", a, b, c)
	}
	if k := AddrKey(netip.MustParseAddr("203.0.113.5")); k != "203.0.113.5" {
		t.Errorf("IPv4 key %q", k)
	}
	if k := AddrKey(netip.Addr{}); k != "unknown" {
		t.Errorf("invalid address key %q", k)
	}
}

// The X-Forwarded-For walk reads any header without panicking, and never
// returns an address the trusted proxies did not hand over.
func FuzzClientAddr(f *testing.F) {
	for _, s := range []string{"198.51.100.1", "1.1.1.1, 10.0.0.1", "[::1]:80, ,", "::ffff:1.2.3.4%eth0", ",,,", "10.0.0.1:99999"} {
		f.Add("10.0.0.2:1234", s)
		f.Add("203.0.113.5:80", s)
	}
	proxies, _ := ParsePrefixes("10.0.0.0/8")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := Proxies(proxies).ClientAddr(r)
		peer := addrOf(remote)
		if !Proxies(proxies).trusted(peer) && got != peer {
			t.Fatalf("untrusted peer %q: client %v from the header %q", remote, got, xff)
		}
		_ = AddrKey(got)
		_, _ = ParseLimit(xff)
		_, _ = ParsePrefixes(xff)
	})
}

func TestTakeGiveBack(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	k := NewKeyed(Limit{Events: 1, Per: time.Hour, Burst: 2})
	k.now = clock.now
	for range 5 {
		ok, _, giveBack := k.Take("a")
		if !ok {
			t.Fatal("a token given back was not available again")
		}
		clock.t = clock.t.Add(time.Millisecond) // given back later, as a request is
		giveBack()
	}
	k.Allow("a")
	k.Allow("a")
	if ok, _ := k.Allow("a"); ok {
		t.Fatal("burst of 2 allowed 3")
	}
}

// The cost a limit adds to each /api/chat request, with a full table of
// distinct clients.
func BenchmarkKeyedAllow(b *testing.B) {
	k := NewKeyed(Limit{Events: 600, Per: time.Minute, Burst: 200})
	keys := make([]string, 10_000)
	for i := range keys {
		keys[i] = fmt.Sprint("198.51.", i/256, ".", i%256)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			k.Allow(keys[i%len(keys)])
			i++
		}
	})
}
