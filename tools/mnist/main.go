// Command mnist makes sure this machine has MNIST's four files, fetching them on
// first use, and prints the folder that holds them. With --copy-to it also copies
// them into a folder (the site's data/, for make dist); with --data it takes them
// from a folder of the user's instead of the cache.
//
//	go run ./tools/mnist                      # prints ~/.cache/lwf/mnist
//	go run ./tools/mnist --copy-to dist/data
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/nofeedback/lwf/tools/internal/mnist"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mnist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	copyTo := fs.String("copy-to", "", "also copy the four files into this folder")
	from := fs.String("data", "", "take the four files from this folder instead of the cache")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mnist: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	dir := *from
	if dir == "" {
		var err error
		if dir, err = mnist.Dir(ctx, func(s string) { fmt.Fprintln(stderr, s) }); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	if *copyTo != "" {
		if err := copyFiles(dir, *copyTo); err != nil {
			fmt.Fprintf(stderr, "mnist: %v\n", err)
			return 1
		}
	}
	fmt.Fprintln(stdout, dir)
	return 0
}

// copyFiles copies MNIST's four files from one folder into another, leaving those
// that are already the same.
func copyFiles(from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	for _, f := range mnist.Files {
		b, err := os.ReadFile(filepath.Join(from, f.Name))
		if err != nil {
			return fmt.Errorf("%w (the site needs MNIST's four .gz files)", err)
		}
		dst := filepath.Join(to, f.Name)
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
