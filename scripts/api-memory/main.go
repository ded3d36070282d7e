//go:build linux

// Command api-memory measures the peak memory (the child's maximum RSS,
// from its rusage) of `skyswitch api` on large answers, the bounds of
// README "Commands for scripts": pages with 4 MB cursors, one 250 MB JSON
// page, and a JSON page over 256 MiB, which is refused. It builds
// skyswitch, saves one made-up account (scripts/gen-accounts) whose PDS is
// a loopback server of its own, and runs each case with stdout on
// /dev/null. Linux only: it reads ru_maxrss (KiB there).
//
//	go run ./scripts/api-memory [-only name]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/skyswitch/skyswitch/storage"
)

const mib = 1 << 20

var verbose bool

// A case: the api command line and what it must end with.
type apiCase struct {
	name string
	args []string
	code int
}

var cases = []apiCase{
	{"small answer (the floor)", []string{"com.example.page", "-X", "GET", "-F", "size=1000"}, 0},
	{"40 pages with 4 MB cursors, --paginate", []string{"--paginate", "com.example.cursors"}, 0},
	{"40 pages with 4 MB cursors, --paginate --slurp", []string{"--paginate", "--slurp", "com.example.cursors"}, 0},
	{"one 250 MB page, chunked", []string{"com.example.page", "-X", "GET", "-F", "size=250000000"}, 0},
	{"one 250 MB page, Content-Length", []string{"com.example.page", "-X", "GET", "-F", "size=250000000", "-F", "length=true"}, 0},
	{"one 250 MB page, Content-Length, no unsafe rune", []string{"com.example.page", "-X", "GET", "-F", "size=250000000", "-F", "length=true", "-F", "clean=true"}, 0},
	{"one 250 MB page, --paginate", []string{"--paginate", "com.example.page", "-F", "size=250000000"}, 0},
	{"one 250 MB page, --paginate, Content-Length", []string{"--paginate", "com.example.page", "-F", "size=250000000", "-F", "length=true"}, 0},
	{"one 250 MB page, --paginate --slurp", []string{"--paginate", "--slurp", "com.example.page", "-F", "size=250000000"}, 0},
	{"over 256 MiB, chunked: refused", []string{"com.example.page", "-X", "GET", "-F", "size=300000000"}, 1},
	{"over 256 MiB, Content-Length: refused", []string{"com.example.page", "-X", "GET", "-F", "size=300000000", "-F", "length=true"}, 1},
	{"over 256 MiB, --paginate: refused", []string{"--paginate", "com.example.page", "-F", "size=300000000"}, 1},
}

func main() {
	only := flag.String("only", "", "run only the cases whose name contains this")
	flag.BoolVar(&verbose, "v", false, "print each run's stderr (run with GODEBUG=gctrace=1 to see the heap)")
	flag.Parse()
	if err := run(*only); err != nil {
		fmt.Fprintln(os.Stderr, "api-memory:", err)
		os.Exit(1)
	}
}

func run(only string) error {
	work, err := os.MkdirTemp("", "api-memory-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "skyswitch")
	for _, b := range [][]string{{"-o", bin, "."}, {"-o", filepath.Join(work, "gen-accounts"), "./scripts/gen-accounts"}} {
		cmd := exec.Command("go", append([]string{"build"}, b...)...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	file := filepath.Join(work, "config", "skyswitch", "accounts.json")
	if out, err := exec.Command(filepath.Join(work, "gen-accounts"), "-n", "1", "-o", file).CombinedOutput(); err != nil {
		return fmt.Errorf("gen-accounts: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// Headers as large as the cursors in the query string.
	go (&http.Server{Handler: http.HandlerFunc(serve), MaxHeaderBytes: 64 * mib}).Serve(ln)
	err = storage.Open(file).Update(func(st *storage.State) error {
		st.Accounts[0].PDSURL = "http://" + ln.Addr().String()
		return nil
	})
	if err != nil {
		return err
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer devNull.Close()
	for _, c := range cases {
		if !strings.Contains(c.name, only) {
			continue
		}
		cmd := exec.Command(bin, append([]string{"api"}, c.args...)...)
		cmd.Env = []string{"HOME=" + work, "XDG_CONFIG_HOME=" + filepath.Join(work, "config"), "LANG=C", "GODEBUG=" + os.Getenv("GODEBUG")}
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = devNull, &stderr
		err := cmd.Run()
		if cmd.ProcessState == nil {
			return fmt.Errorf("%s: %v", c.name, err)
		}
		code := cmd.ProcessState.ExitCode()
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		mark := ""
		if code != c.code {
			mark = fmt.Sprintf("  UNEXPECTED: want exit %d; %s", c.code, strings.TrimSpace(stderr.String()))
		}
		fmt.Printf("%-50s exit %d  peak RSS %6.1f MiB%s\n", c.name, code, float64(ru.Maxrss)*1024/mib, mark)
		if verbose {
			os.Stdout.Write(stderr.Bytes())
		}
	}
	return nil
}

// serve answers com.example.cursors (40 pages, each with a new 4 MB
// cursor, then a last page without one) and com.example.page (one JSON
// page of about size bytes, with spaces to compact, non-ASCII text and a
// C1 control in one record of 64 unless clean=true; chunked unless
// length=true).
func serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	w.Header().Set("Content-Type", "application/json")
	switch strings.TrimPrefix(r.URL.Path, "/xrpc/") {
	case "com.example.cursors":
		n := 0
		if c := q.Get("cursor"); c != "" {
			n, _ = strconv.Atoi(c[:strings.IndexByte(c, '-')])
		}
		io.WriteString(w, `{"records":[{"uri":"at://did:plc:x/app.bsky.feed.post/1"}]`)
		if n < 39 {
			fmt.Fprintf(w, `,"cursor":"%d-%s"`, n+1, strings.Repeat("c", 4_000_000))
		}
		io.WriteString(w, "}")
	case "com.example.page":
		size, _ := strconv.Atoi(q.Get("size"))
		var rec bytes.Buffer
		for i := range 64 {
			note := "h\u00e9llo w\u00f6rld"
			if i == 0 && q.Get("clean") != "true" {
				note = "a C1 control \u0085 here"
			}
			fmt.Fprintf(&rec, `{ "uri" : "at://did:plc:x/app.bsky.feed.post/%08d", "text" : %q },`+"\n", i, note)
		}
		n := max(1, size/rec.Len())
		if q.Get("length") == "true" {
			w.Header().Set("Content-Length", strconv.Itoa(len(`{"records": [`)+n*rec.Len()-2+len("\n]}")))
		}
		io.WriteString(w, `{"records": [`)
		for i := range n {
			b := rec.Bytes()
			if i == n-1 {
				b = b[:len(b)-2] // the last comma and newline
			}
			w.Write(b)
		}
		io.WriteString(w, "\n]}")
	default:
		http.NotFound(w, r)
	}
}
