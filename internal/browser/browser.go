// Package browser opens a web page in the person's browser, through the
// system's own opener: xdg-open (Linux and the BSDs), open (macOS) or
// rundll32 url.dll,FileProtocolHandler (Windows).
package browser

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// ErrNoBrowser: no browser can be opened here (no graphical session, or
// no opener installed); the caller shows the address instead.
var ErrNoBrowser = errors.New("no browser can be opened here")

// ErrNotWebPage: the address is not an http or https URL; nothing is run.
var ErrNotWebPage = errors.New("not a web page's address")

// Open opens u, an http or https URL, in the browser. It returns once the
// opener has started (its outcome is not awaited: a browser may stay open
// for ever). The opener's output goes nowhere: it never reaches a
// terminal a switcher is drawing on.
func Open(u string) error {
	return open(u, runtime.GOOS, os.Getenv, exec.LookPath)
}

func open(u, goos string, getenv func(string) string, lookPath func(string) (string, error)) error {
	if err := Check(u); err != nil {
		return err
	}
	argv := command(goos, u)
	if goos != "darwin" && goos != "windows" && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		// Over SSH or on a console: xdg-open would start a text browser
		// in the terminal, or fail.
		return fmt.Errorf("%w: no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)", ErrNoBrowser)
	}
	path, err := lookPath(argv[0])
	if err != nil {
		return fmt.Errorf("%w: %s is not installed", ErrNoBrowser, argv[0])
	}
	cmd := exec.Command(path, argv[1:]...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNoBrowser, argv[0], err)
	}
	go cmd.Wait() // reaped whenever it ends
	return nil
}

// command is the opener's command line for u on goos.
func command(goos, u string) []string {
	switch goos {
	case "darwin":
		return []string{"open", u}
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler", u}
	}
	return []string{"xdg-open", u}
}

// Check lets through only an absolute http or https URL with a host, of
// printable ASCII (a URL's own encoding): nothing an opener could take
// for an option, a file or another program's scheme, and nothing a
// terminal that shows it would have to escape. Open runs it first; a
// caller that shows the address to open by hand runs it too.
func Check(u string) error {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "http" && p.Scheme != "https" || p.Host == "" || p.Opaque != "" {
		return ErrNotWebPage
	}
	if strings.IndexFunc(u, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '"' }) >= 0 {
		return ErrNotWebPage
	}
	return nil
}
