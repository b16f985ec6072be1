package netsim

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The proxy's downloads take what the link's arithmetic says, within 5%: the bytes
// at the link's rate, shared by the connections at once, and the round trips. Its
// own cost (timers that wake late: 10–20 ms a download here, up to 80 ms with more
// busy threads than cores) is within the 5% of these sizes, also on a busy machine.
func TestTheLinkTakesItsArithmetic(t *testing.T) {
	cases := []struct {
		name     string
		link     Link
		size     int
		at       int // connections at once
		expected time.Duration
	}{
		{"1 MB over 10 Mbit/s", Link{BitsPerSecond: 10e6, Delay: 40 * time.Millisecond}, 1_000_000, 1, 880 * time.Millisecond},
		{"500 kB over 8 Mbit/s", Link{BitsPerSecond: 8e6, Delay: 40 * time.Millisecond}, 500_000, 1, 580 * time.Millisecond},
		{"three 200 kB at once share 8 Mbit/s", Link{BitsPerSecond: 8e6, Delay: 40 * time.Millisecond}, 200_000, 3, 680 * time.Millisecond},
		{"10 MB over 50 Mbit/s", Link{BitsPerSecond: 50e6, Delay: 40 * time.Millisecond}, 10_000_000, 1, 1680 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := bytes.Repeat([]byte("x"), c.size)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
			defer srv.Close()
			p, err := Listen(srv.Listener.Addr().String(), c.link)
			require.NoError(t, err)
			defer p.Close()
			assert.Equal(t, c.expected, c.link.Time(int64(c.at*c.size), 1), "the arithmetic: 1 set-up, 1 request, the bytes at the rate")

			start := time.Now()
			var wg sync.WaitGroup
			for range c.at {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := http.Get("http://" + p.Addr + "/")
					if !assert.NoError(t, err) {
						return
					}
					defer resp.Body.Close()
					b, err := io.ReadAll(resp.Body)
					assert.NoError(t, err)
					assert.Equal(t, body, b, "the bytes arrive whole")
				}()
			}
			wg.Wait()
			took := time.Since(start)
			assert.InEpsilon(t, c.expected.Seconds(), took.Seconds(), 0.05, "took %v, the arithmetic says %v", took, c.expected)
			sent := p.Sent(start, time.Now())
			assert.InDelta(t, c.at*c.size, sent, float64(c.at*200), "the bytes counted on the link: the bodies and their headers")
			assert.Zero(t, p.Sent(start.Add(-time.Hour), start), "nothing before")
			assert.Less(t, p.Sent(start, start.Add(c.expected/2)), sent, "half way, not all")
		})
	}
}

func TestALinkNamesItself(t *testing.T) {
	assert.Equal(t, "8 Mbit/s shared, 40ms a round trip", Link{BitsPerSecond: 8e6, Delay: 40 * time.Millisecond}.String())
	_, err := Listen("127.0.0.1:1", Link{})
	assert.ErrorContains(t, err, "netsim: a link of 0 bit/s carries nothing")
}
