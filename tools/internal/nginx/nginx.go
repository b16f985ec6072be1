// Package nginx runs nginx as an ordinary static host for one folder: the way most
// hosts serve a static site (GitHub Pages among them), with gzip for text and
// WebAssembly at nginx's default level, ETags, and nothing else of ours. The bench
// and the browser tests measure and check the page from it beside our own server.
package nginx

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Server is a running nginx serving one folder.
type Server struct {
	URL string // http://127.0.0.1:port

	cmd   *exec.Cmd
	dir   string // its prefix: configuration, logs, temporary files
	done  chan error
	close sync.Once
}

// config is nginx's configuration: one server on 127.0.0.1, root the folder, gzip as
// an ordinary host has it (gzip on, the types of text and code, the default level 1).
const config = `%s
daemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 64; }
http {
	include %[3]s;
	types { application/wasm wasm; }
	default_type application/octet-stream;
	access_log off;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	sendfile on;
	gzip on;
	gzip_types text/css application/javascript text/javascript application/json application/wasm image/svg+xml;
	server {
		listen 127.0.0.1:%[4]d;
		root %[5]s;
		index index.html;
	}
}
`

// Start serves root with the nginx on PATH (or $NGINX), on a free port of
// 127.0.0.1, until Close.
func Start(root string) (*Server, error) {
	bin := os.Getenv("NGINX")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("nginx"); err != nil {
			return nil, errors.New("nginx: not installed (Debian: apt-get install nginx-light; or set NGINX)")
		}
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	mime, err := mimeTypes(bin)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("nginx: a free port: %w", err)
	}
	dir, err := os.MkdirTemp("", "lwf-nginx-")
	if err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	user := "" // as root, nginx would hand its worker to nobody, who cannot read dir
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, config, user, dir, mime, port, abs), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("nginx: %w", err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	var out strings.Builder
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("nginx: %w", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.ready(port); err != nil {
		s.Close()
		log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return nil, fmt.Errorf("nginx: %w: %s%s", err, out.String(), log)
	}
	return s, nil
}

// ready waits until nginx accepts connections on port, or has stopped.
func (s *Server) ready(port int) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err // for Close
			return fmt.Errorf("it stopped at once (%v)", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("it did not accept connections within 10 s")
}

// Close stops nginx and removes its files.
func (s *Server) Close() error {
	s.close.Do(func() {
		s.cmd.Process.Signal(os.Interrupt) // nginx's fast shutdown, as SIGTERM
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	})
	return os.RemoveAll(s.dir)
}

// mimeTypes finds the mime.types nginx was built to include beside its nginx.conf.
func mimeTypes(bin string) (string, error) {
	out, err := exec.Command(bin, "-V").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("nginx -V: %w: %s", err, out)
	}
	conf := "/etc/nginx/nginx.conf"
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "--conf-path="); ok {
			conf = v
		}
	}
	mime := filepath.Join(filepath.Dir(conf), "mime.types")
	if _, err := os.Stat(mime); err != nil {
		return "", fmt.Errorf("nginx: its mime.types: %w", err)
	}
	return mime, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
