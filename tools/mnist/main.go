// Command mnist makes sure this machine has MNIST's four files, fetching them on
// first use, and prints the folder that holds them. With --copy-to it also copies
// them into a folder; with --page it writes them into a folder in the layout the page
// fetches (the site's data/, for make dist: protocol.TrainImagesPart and its
// neighbours); with --data it takes them from a folder of the user's instead of the
// cache.
//
//	go run ./tools/mnist                      # prints ~/.cache/lwf/mnist
//	go run ./tools/mnist --page dist/data
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/nofeedback/lwf/core/data"
	"github.com/nofeedback/lwf/tools/internal/mnist"
	"github.com/nofeedback/lwf/wasm/protocol"
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
	page := fs.String("page", "", "also write them into this folder in the page's layout: the training images in parts, a quick test subset")
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
	if *page != "" {
		if err := writePage(dir, *page); err != nil {
			fmt.Fprintf(stderr, "mnist: %v\n", err)
			return 1
		}
	}
	fmt.Fprintln(stdout, dir)
	return 0
}

// writePage writes MNIST into folder to as the page fetches it (wasm/protocol): the
// labels and the test set as they are, the training images in parts of
// data.PartSize, and the quick test subset.
func writePage(from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	for _, name := range []string{protocol.TrainLabels, protocol.TestImages, protocol.TestLabels} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			return fmt.Errorf("%w (the site needs MNIST's four .gz files)", err)
		}
		if err := writeIfChanged(filepath.Join(to, name), b); err != nil {
			return err
		}
	}
	trainSet, testSet, err := data.LoadIDXDir(from)
	if err != nil {
		return err
	}
	images, _, err := trainSet.IDX()
	if err != nil {
		return err
	}
	for p := range data.Parts(images.N) {
		b, err := gzipped(func(w io.Writer) error { return data.WriteIDXImages(w, images.Part(p)) })
		if err != nil {
			return err
		}
		if err := writeIfChanged(filepath.Join(to, protocol.TrainImagesPart(p)), b); err != nil {
			return err
		}
	}
	quickImages, quickLabels, err := testSet.Spread(protocol.QuickTestSize).IDX()
	if err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{
		protocol.QuickImages: func(w io.Writer) error { return data.WriteIDXImages(w, quickImages) },
		protocol.QuickLabels: func(w io.Writer) error { return data.WriteIDXLabels(w, quickLabels) },
	} {
		b, err := gzipped(write)
		if err != nil {
			return err
		}
		if err := writeIfChanged(filepath.Join(to, name), b); err != nil {
			return err
		}
	}
	return nil
}

// gzipped returns what write writes, gzipped the same way every time (no name, no
// time in the header).
func gzipped(write func(io.Writer) error) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if err := write(zw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeIfChanged writes b to path unless the file already holds it.
func writeIfChanged(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile(path, b, 0o644)
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
		if err := writeIfChanged(filepath.Join(to, f.Name), b); err != nil {
			return err
		}
	}
	return nil
}
