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

// The link model holds a download to its bandwidth, shared: lower bounds only, which
// a loaded machine cannot break.
func TestTheLinkSharesItsBandwidth(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 200_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	link := Link{BitsPerSecond: 8e6, Delay: 40 * time.Millisecond} // 1 MB/s
	p, err := Listen(srv.Listener.Addr().String(), link)
	require.NoError(t, err)
	defer p.Close()
	get := func() {
		resp, err := http.Get("http://" + p.Addr + "/")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, body, b, "the bytes arrive whole")
	}
	start := time.Now()
	get()
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "200 kB at 1 MB/s, and a round trip")

	start = time.Now()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); get() }()
	}
	wg.Wait()
	assert.GreaterOrEqual(t, time.Since(start), 550*time.Millisecond, "three at once share the 1 MB/s")
	assert.Equal(t, "8 Mbit/s shared, 40ms a round trip", link.String())

	_, err = Listen(srv.Listener.Addr().String(), Link{})
	assert.ErrorContains(t, err, "netsim: a link of 0 bit/s carries nothing")
}
