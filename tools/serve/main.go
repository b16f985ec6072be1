// Command serve serves the built site on localhost the way a static host would: gzip
// for text and WebAssembly, revalidation on every load, the page's security headers,
// and nothing outside the folder.
//
//	go run ./tools/serve [--dir dist] [--addr localhost:8080]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nofeedback/lwf/tools/serve/static"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // cannot listen, or the server failed
	exitUsage  = 2 // bad flags or no folder to serve
)

// shutdownTimeout bounds how long Ctrl-C waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// run serves until Ctrl-C or SIGTERM and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr)
}

// command holds everything the flags say.
type command struct {
	dir  string
	addr string
}

func parseFlags(args []string, stderr io.Writer) (*command, error) {
	c := &command{}
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&c.dir, "dir", "dist", "folder to serve")
	flags.StringVar(&c.addr, "addr", "localhost:8080", "host:port to listen on (port 0: any free port)")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: serve [--dir dist] [--addr localhost:8080]\n\nServes the built site (make dist) on a local address.\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	if flags.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags start with --)", flags.Arg(0))
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return nil, fmt.Errorf("--addr %q: want host:port, e.g. localhost:8080", c.addr)
	}
	return c, nil
}

// serve is run with the stop signal as ctx: it returns when ctx is done.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return exitUsage
	}
	handler, err := static.Handler(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "serve: no folder %s to serve: build it with `make dist`, or name another with --dir\n", c.dir)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "serve: --dir %s: %v\n", c.dir, err)
		return exitUsage
	}
	if _, err := static.Precompress(handler); err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(stderr, "serve: %s is already in use (another server running?): choose another address with --addr, e.g. --addr localhost:8081\n", c.addr)
		} else {
			fmt.Fprintf(stderr, "serve: cannot listen on %s: %v (choose another address with --addr)\n", c.addr, err)
		}
		return exitFailed
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(stderr, "serve: ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "Serving %s on %s (Ctrl-C to stop)\n", c.dir, siteURL(c.addr, ln.Addr()))

	select {
	case err := <-served:
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return exitFailed
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "serve: shutting down: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// siteURL is the address to open in a browser: the host as given (localhost when it
// is empty or every interface) and the port actually listened on.
func siteURL(addr string, listening net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	port := "0"
	if tcp, ok := listening.(*net.TCPAddr); ok {
		port = fmt.Sprint(tcp.Port)
	}
	return "http://" + net.JoinHostPort(host, port)
}
