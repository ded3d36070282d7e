package cli

// api's output: where the answer goes (standard output through the
// sanitiser, or --output's file), JSON as it is written, and -i's status
// and headers.

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// apiOut is where the answer goes: JSON through the sanitiser to stdout,
// other bodies to the raw stdout (refused on a terminal), or every body to
// --output's file, which is created only once an answer came. A file that
// is a terminal (--output /dev/tty) is treated as stdout on a terminal is.
type apiOut struct {
	head     io.Writer // -i's status and headers: the sanitised stdout
	text     jsonOut   // JSON: the sanitised stdout, or --output's file
	raw      io.Writer // bodies that are not JSON
	pretty   bool      // indent JSON
	terminal bool      // raw is a terminal
	asIs     bool      // every body goes to raw as it came: --output's file
	path     string    // --output
	file     *outFile  // --output, once open
	jq       *gojq.Code
}

func (e *invocation) apiOutput(opts apiOptions) *apiOut {
	out := &apiOut{
		head: e.stdout, text: e.jsonStdout(), raw: e.app.Stdout,
		pretty: e.app.StdoutTerminal, terminal: e.app.StdoutTerminal, path: opts.output, jq: opts.jq,
	}
	if opts.silent {
		// The body goes nowhere (but to --output's file, which open
		// makes); -i's head and errors still print.
		out.text, out.raw, out.terminal = newJSONOut(nil, io.Discard), io.Discard, false
	}
	return out
}

// jsonLimit is how much of a JSON answer is read: less for --jq, which
// takes many times its size.
func (o *apiOut) jsonLimit() int64 {
	if o.jq != nil {
		return maxJQBytes
	}
	return maxJSONBytes
}

// doc writes one JSON answer (a page with --paginate): as it is, or what
// --jq makes of it.
func (o *apiOut) doc(data []byte, pretty bool, nsid string) error {
	if o.jq != nil {
		return writeJQ(o.text, o.jq, data, pretty, nsid)
	}
	return writeJSONDoc(o.text, data, pretty)
}

// jsonStdout is the sanitised stdout for JSON: Run's sanitiser over the
// App's stdout (or one over a stdout a test gave the invocation).
func (e *invocation) jsonStdout() jsonOut {
	if sw, ok := e.stdout.(*sanitize.Writer); ok {
		return newJSONOut(sw, e.app.Stdout)
	}
	return newJSONOut(sanitize.NewWriter(e.stdout), e.stdout)
}

// open creates --output's file, if there is one, for the answer that came:
// a failed call leaves an existing file as it was. What was opened says
// whether it is a terminal, not the name given.
func (o *apiOut) open() error {
	if o.path == "" || o.file != nil {
		return nil
	}
	f, err := createOutput(o.path)
	if err != nil {
		return fmt.Errorf("api: --output: %w", err)
	}
	o.file, o.raw = f, f
	o.terminal = f.terminal()
	o.pretty, o.asIs = o.terminal, !o.terminal
	o.text = newJSONOut(nil, f)
	if o.terminal {
		o.text = newJSONOut(sanitize.NewWriter(f), f)
	}
	return nil
}

// close ends the output of a run that ended with failed: --output's file
// replaces the one at its path only when nothing failed.
func (o *apiOut) close(failed error) error {
	if o.file == nil {
		return failed
	}
	if failed != nil {
		o.file.abort()
		if o.file.target != "" {
			return fmt.Errorf("%w (--output: %s left as it was)", failed, o.path)
		}
		return failed
	}
	if err := o.file.commit(); err != nil {
		return fmt.Errorf("api: --output: %w", err)
	}
	return nil
}

// copyRaw copies a body that is not JSON as it is, never to a terminal.
func (e *invocation) copyRaw(resp *auth.RawResponse, nsid string, out *apiOut) error {
	if out.terminal {
		kind := resp.Header.Get("Content-Type")
		if kind == "" {
			kind = "not JSON"
		}
		return fmt.Errorf("%s: the answer (%s) is not printed on a terminal: use --output FILE, or a pipe", nsid, kind)
	}
	if _, err := io.Copy(out.raw, resp.Body); err != nil {
		return fmt.Errorf("%s: copying the answer: %w", nsid, err)
	}
	return nil
}

// isJSON says whether a Content-Type is JSON (application/json, or a
// +json type). No Content-Type counts as JSON: an empty answer has none.
func isJSON(contentType string) bool {
	if contentType == "" {
		return true
	}
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && (t == "application/json" || strings.HasSuffix(t, "+json"))
}

// writeHead writes the status line and the headers (those quoting a
// credential already withheld by auth), sorted, and a blank line; it says
// whether writing failed.
func writeHead(w io.Writer, status int, h http.Header) error {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s\n", status, http.StatusText(status))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
