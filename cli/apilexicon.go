package cli

// What `skyswitch api` takes from the lexicons (internal/lexicon): the
// default method (GET for a query, POST for a procedure), the types of -F
// fields, the required parameters of a query, and --describe. An NSID the
// table does not hold keeps gh's rules.

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/lexicon"
)

// lexiconMethod is the HTTP method of m's kind; a subscription is a
// WebSocket stream, which api does not open.
func lexiconMethod(m lexicon.Method) (string, error) {
	switch m.Kind {
	case lexicon.Query:
		return http.MethodGet, nil
	case lexicon.Procedure:
		return http.MethodPost, nil
	}
	return "", usageErr("api: %s is a %s (a WebSocket stream), which api does not open; -X GET sends it as a query anyway", m.NSID, m.Kind)
}

// applyLexicon types opts' fields as m says and checks that every
// required one is given: a query's parameters when it is sent as one, a
// procedure's body properties when -f and -F make its body.
func applyLexicon(opts *apiOptions, m lexicon.Method) error {
	query := opts.method == http.MethodGet || opts.input != ""
	given := map[string]bool{}
	for i, f := range opts.fields {
		name, sub, _ := strings.Cut(f.Key, "[")
		given[name] = true
		if query {
			if p, ok := m.Param(name); ok && (sub == "" || sub == "]") {
				opts.fields[i].As = scalar(p.Item())
			}
		} else if p, ok := m.BodyParam(name); ok && (sub == "" && !p.Array() || sub == "]" && p.Array()) {
			opts.fields[i].As = scalar(p.Item())
		}
	}
	var need []lexicon.Param
	what := "parameter"
	switch {
	case m.Kind == lexicon.Query && opts.method == http.MethodGet:
		need = m.Params
	case m.Kind == lexicon.Procedure && !query && len(opts.fields) > 0:
		need, what = m.Body, "field"
	}
	var missing []string
	for _, p := range need {
		if p.Required && !given[p.Name] {
			missing = append(missing, p.Name)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		what = "the " + what + " " + missing[0]
	default:
		what = "the " + what + "s " + strings.Join(missing[:len(missing)-1], ", ") + " and " + missing[len(missing)-1]
	}
	return usageErr("api: %s needs %s: give it with -f %s=…", m.NSID, what, missing[0])
}

// scalar is a lexicon type that -F can follow, else "" (gh's rules).
func scalar(t string) string {
	switch t {
	case "string", "integer", "boolean":
		return t
	}
	return ""
}

// runDescribe prints what the table says of a method: its kind and HTTP
// method, parameters, input and output, and errors. An NSID it does not
// hold is a failure (exit 1), not a usage error: api still calls it.
func runDescribe(nsid string, w io.Writer) error {
	switch {
	case nsid == "":
		return usageErr("api: --describe names a method, such as com.atproto.repo.describeRepo")
	case !auth.ValidNSID(nsid):
		return usageErr("api: %q is %w", clipText(nsid), auth.ErrBadNSID)
	}
	m, ok := lexicon.Lookup(nsid)
	if !ok {
		return fmt.Errorf("api: %s is not in the lexicons skyswitch knows (@atproto/api %s); api still calls it, by gh's rules", nsid, lexicon.Version)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", m.NSID, m.Kind)
	if method, err := lexiconMethod(m); err == nil {
		fmt.Fprintf(&b, " (%s)", method)
	}
	b.WriteString("\nparameters:")
	describeParams(&b, m.Params)
	fmt.Fprintf(&b, "input: %s", orNone(m.Input))
	describeParams(&b, m.Body)
	output := orNone(m.Output)
	if m.Kind == lexicon.Subscription {
		output = "a stream of messages over a WebSocket"
	}
	fmt.Fprintf(&b, "output: %s\nerrors: %s\n", output, orNone(strings.Join(m.Errors, ", ")))
	_, err := io.WriteString(w, b.String())
	return err
}

// describeParams lists params one a line, aligned: name, type (format),
// required; or " none".
func describeParams(b *strings.Builder, params []lexicon.Param) {
	if len(params) == 0 {
		if b.String()[b.Len()-1] == ':' {
			b.WriteString(" none")
		}
		b.WriteString("\n")
		return
	}
	b.WriteString("\n")
	width := 0
	for _, p := range params {
		width = max(width, len(p.Name))
	}
	for _, p := range params {
		fmt.Fprintf(b, "  %-*s  %s", width, p.Name, p.Type)
		if p.Format != "" {
			fmt.Fprintf(b, " (%s)", p.Format)
		}
		if p.Required {
			b.WriteString(", required")
		}
		b.WriteString("\n")
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
