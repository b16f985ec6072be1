// Package netsim is a link model for measuring the page as a visitor on a slow
// network would see it: a TCP proxy in front of a server that shares one bandwidth
// among all its connections, as a lecture hall's wifi does, and adds a delay to each
// connection and to each request on it (what a round trip to a distant host costs).
// It uses golang.org/x/time/rate's token bucket for the shared bandwidth.
package netsim

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Link is a link's model: its bandwidth towards the visitor, shared by every
// connection, and the delay of a round trip.
type Link struct {
	BitsPerSecond float64
	Delay         time.Duration
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
	down   *rate.Limiter
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
}

// chunk is the most a write sends at once: the bucket's burst.
const chunk = 16 << 10

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
		down: rate.NewLimiter(rate.Limit(link.BitsPerSecond/8), chunk), ctx: ctx, stop: stop}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

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
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.copy(server, visitor, func(int) bool { return p.sleep(p.link.Delay) })
		server.(*net.TCPConn).CloseWrite()
	}()
	p.copy(visitor, server, func(n int) bool { return p.down.WaitN(p.ctx, n) == nil })
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
