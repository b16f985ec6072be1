// Package netsim is a link model for measuring the page as a visitor on a slow
// network would see it: a TCP proxy in front of a server that shares one bandwidth
// among all its connections, as a lecture hall's wifi does, and adds a delay to each
// connection and to each request on it (what a round trip to a distant host costs).
// Its arithmetic is Link.Time, which its tests hold it to.
package netsim

import (
	"context"
	"fmt"
	"io"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Link is a link's model: its bandwidth towards the visitor, shared by every
// connection, and the delay of a round trip.
type Link struct {
	BitsPerSecond float64
	Delay         time.Duration
}

// Time is the link's arithmetic for one connection that sends requests and gets
// back size bytes: the connection's set-up and a round trip per request, and the
// bytes at the link's rate. The proxy's transfers take this long, and no less when
// the server sends each response without pausing (as a static host does).
func (l Link) Time(size int64, requests int) time.Duration {
	return time.Duration(1+requests)*l.Delay + time.Duration(float64(size)*8/l.BitsPerSecond*float64(time.Second))
}

func (l Link) String() string {
	return fmt.Sprintf("%g Mbit/s shared, %v a round trip", l.BitsPerSecond/1e6, l.Delay)
}

// Proxy forwards the connections it accepts to a target over a Link.
type Proxy struct {
	Addr string // where visitors connect: host:port

	ln     net.Listener
	target string
	link   Link
	down   *pacer
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
}

// chunk is the most a write sends at once.
const chunk = 16 << 10

// slack is how late the proxy may wake to send a response's next bytes without the
// link losing time, so that a machine busy with the browser (or with tests) does not
// slow the link. A request going up starts a new response, so that no slack is
// taken across the round trip between two responses.
const slack = 250 * time.Millisecond

// pacer is the shared link's clock: when the bytes given to it so far have crossed.
type pacer struct {
	mu          sync.Mutex
	bytesPerSec float64
	free        time.Time
	log         []crossing // in order of at
}

// crossing is when the link's first total bytes had crossed.
type crossing struct {
	at    time.Time
	total int64
}

// take gives the link n bytes of a response and returns when they will have crossed.
// after is when the same response's previous bytes crossed (zero for its first):
// bytes that follow them within slack were ready then, so the link takes them from
// then on, and a late wake-up of the proxy costs nothing. Otherwise they are new
// and the link takes them from now: an idle link banks no time.
func (p *pacer) take(n int, after time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	if !after.IsZero() && start.Sub(after) < slack {
		start = after
	}
	if p.free.After(start) {
		start = p.free
	}
	p.free = start.Add(time.Duration(float64(n) / p.bytesPerSec * float64(time.Second)))
	total := int64(n)
	if len(p.log) > 0 {
		total += p.log[len(p.log)-1].total
	}
	p.log = append(p.log, crossing{p.free, total})
	return p.free
}

// Sent returns the bytes that crossed the link towards the visitors between from
// and to: what a packet capture on the link would count.
func (p *Proxy) Sent(from, to time.Time) int64 {
	p.down.mu.Lock()
	defer p.down.mu.Unlock()
	by := func(t time.Time) int64 {
		i := sort.Search(len(p.down.log), func(i int) bool { return p.down.log[i].at.After(t) })
		if i == 0 {
			return 0
		}
		return p.down.log[i-1].total
	}
	return by(to) - by(from)
}

// Listen starts a proxy on a free local port that forwards to target (host:port)
// over link.
func Listen(target string, link Link) (*Proxy, error) {
	if link.BitsPerSecond <= 0 {
		return nil, fmt.Errorf("netsim: a link of %g bit/s carries nothing", link.BitsPerSecond)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	p := &Proxy{Addr: ln.Addr().String(), ln: ln, target: target, link: link,
		down: &pacer{bytesPerSec: link.BitsPerSecond / 8}, ctx: ctx, stop: stop}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Link returns the link the proxy models.
func (p *Proxy) Link() Link { return p.link }

// Close stops accepting and cuts every connection.
func (p *Proxy) Close() error {
	p.stop()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

// serve carries one connection: after the delay of its set-up, requests go up late
// by a round trip, and answers come down at the shared bandwidth.
func (p *Proxy) serve(visitor net.Conn) {
	defer visitor.Close()
	if !p.sleep(p.link.Delay) {
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		<-p.ctx.Done()
		visitor.Close()
		server.Close()
	}()
	var wg sync.WaitGroup
	var requests atomic.Int64 // sent up so far
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.copy(server, visitor, func(int) bool { requests.Add(1); return p.sleep(p.link.Delay) })
		server.(*net.TCPConn).CloseWrite()
	}()
	var crossed time.Time // when this response's last bytes crossed the link
	var answered int64    // the requests sent up before this response's bytes
	p.copy(visitor, server, func(n int) bool {
		if r := requests.Load(); r != answered {
			answered, crossed = r, time.Time{} // a new response
		}
		crossed = p.down.take(n, crossed)
		if d := time.Until(crossed); d > 0 {
			return p.sleep(d)
		}
		return p.ctx.Err() == nil // behind the link: catch up without a timer
	})
	visitor.Close()
	wg.Wait()
}

// copy sends what src reads to dst, each read after wait lets it.
func (p *Proxy) copy(dst io.Writer, src io.Reader, wait func(n int) bool) {
	buf := make([]byte, chunk)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !wait(n) {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // the end, or a cut
			return
		}
	}
}

func (p *Proxy) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.ctx.Done():
		return false
	}
}
