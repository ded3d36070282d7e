package cli

// api's command line: its flags, bound to apiFlags, and the checks that
// make apiOptions of them before anything is sent.

import (
	"context"
	"net/http"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fields"
	"github.com/skyswitch/skyswitch/internal/lexicon"
)

func apiCommand() command {
	fl := apiFlags{maxPages: defaultMaxPages}
	return command{
		name: "api", args: "[<flags>] <nsid>", helpArgs: "[--account <account>] [<flags>] <nsid>",
		summary: "call an XRPC method as the account, refreshing its session as needed",
		flags: []flagSpec{
			stringFlag(&fl.method, "X", "method", "the HTTP `method`: GET (a query) or POST (a procedure); the default is the lexicon's (--describe), or for a method it does not know GET, or POST when -f, -F or --input give a body (but GET with --paginate)").completing("GET", "POST"),
			listFlag(&fl.rawFields, "f", "raw-field", "add a string field `key=value` (repeatable; key[sub]=v nests an object, key[]=v appends to an array)").completingFrom("fields"),
			listFlag(&fl.typedFields, "F", "field", "add a typed field `key=value`: true, false, null, a number, @file or @- (standard input; up to 256 MiB), else a string (repeatable)").completingFrom("fields"),
			stringFlag(&fl.input, "", "input", "send the contents of `file` (- for standard input; up to 256 MiB) as the body; -f and -F then go to the query string"),
			stringFlag(&fl.proxy, "", "proxy", "send atproto-proxy: `did#service_id`, such as did:web:api.bsky.chat#bsky_chat"),
			listFlag(&fl.headers, "H", "header", "add a request header `key:value`, such as 'Content-Type: image/png' (repeatable: a name given again adds a value; the last Content-Type counts); not Authorization, atproto-proxy (--proxy) or what HTTP sets"),
			boolFlag(&fl.paginate, "", "paginate", "follow the cursor to the last page, printing one JSON document per page"),
			boolFlag(&fl.slurp, "", "slurp", "with --paginate, print all the pages as one JSON array"),
			intFlag(&fl.maxPages, "", "max-pages", "with --paginate, stop with an error after `n` pages"),
			boolFlag(&fl.include, "i", "include", "print the HTTP status and the response headers before the body, or before the error of an error answer"),
			stringFlag(&fl.output, "", "output", "write the body to `file`, as it came, instead of standard output (a body that is not JSON needs it on a terminal)"),
			stringFlag(&fl.jq, "q", "jq", "apply the jq `expression` to the answer (to each page with --paginate; up to 32 MiB) and print its results: a string raw, anything else as JSON, one a line"),
			boolFlag(&fl.silent, "", "silent", "print nothing of the answer on success (-i's head still; --output's file still written); errors still print"),
			boolFlag(&fl.describe, "", "describe", "print what the lexicon says of the method (kind, parameters, input, output, errors) instead of calling it"),
		},
		maxArgs: 1, override: true, nsids: true,
		run: func(ctx context.Context, e *invocation, args []string) error {
			if fl.describe {
				return runDescribe(arg(args), e.stdout)
			}
			opts, err := apiOptionsOf(arg(args), fl)
			if err != nil {
				return err
			}
			return runAPI(ctx, opts, e)
		},
	}
}

// apiFlags are api's flags as given; apiOptionsOf checks them.
type apiFlags struct {
	method, input, proxy, output, jq string
	rawFields, typedFields, headers  []string
	paginate, slurp, include, silent bool
	describe                         bool
	maxPages                         int
}

// apiOptions: the method to call and how, and what to do with the answer.
type apiOptions struct {
	nsid   string
	method string // "", "GET" or "POST"
	fields []fields.Field
	input  string // a file, "-" for stdin, "" for none
	proxy  string
	header http.Header // -H, checked
	// paginate follows cursor; slurp gathers the pages into one array;
	// maxPages bounds them.
	paginate, slurp bool
	maxPages        int
	include         bool       // -i
	output          string     // a file for the body, "" for stdout
	jq              *gojq.Code // --jq, compiled; nil for none
	silent          bool       // --silent
}

// apiOptionsOf checks api's command line: every mistake it can see is a
// usage error (exit 2), found before anything is sent.
func apiOptionsOf(nsid string, fl apiFlags) (apiOptions, error) {
	opts := apiOptions{
		nsid: nsid, method: strings.ToUpper(fl.method), input: fl.input, proxy: fl.proxy,
		paginate: fl.paginate, slurp: fl.slurp, maxPages: fl.maxPages,
		include: fl.include, output: fl.output, silent: fl.silent,
	}
	switch {
	case opts.nsid == "":
		return opts, usageErr("api: name the method to call, such as com.atproto.server.getSession")
	case !auth.ValidNSID(opts.nsid):
		return opts, usageErr("api: %q is %w", clipText(opts.nsid), auth.ErrBadNSID)
	case opts.proxy != "" && !auth.ValidProxy(opts.proxy):
		return opts, usageErr("api: --proxy %q is %w", clipText(opts.proxy), auth.ErrBadProxy)
	case opts.method != "" && opts.method != http.MethodGet && opts.method != http.MethodPost:
		return opts, usageErr("api: -X is GET (a query) or POST (a procedure), not %q", clipText(opts.method))
	case opts.slurp && !opts.paginate:
		return opts, usageErr("api: --slurp gathers the pages of --paginate; give both")
	case opts.maxPages < 1:
		return opts, usageErr("api: --max-pages must be at least 1")
	}
	if expr := fl.jq; expr != "" {
		switch {
		case opts.slurp:
			return opts, usageErr("api: --jq applies to each page; it does not go with --slurp")
		case opts.output != "":
			return opts, usageErr("api: --jq prints its results; --output saves the answer as it came: give one")
		}
		var err error
		if opts.jq, err = compileJQ(expr); err != nil {
			return opts, err
		}
	}
	for _, list := range []struct {
		flag  string
		args  []string
		typed bool
	}{{"f", fl.rawFields, false}, {"F", fl.typedFields, true}} {
		for i, arg := range list.args {
			if k, _, ok := strings.Cut(arg, "="); !ok || k == "" {
				// Not quoted: a value given without its key may be a
				// secret.
				return opts, usageErr("api: -%s (field %d) is key=value, such as repo=alice.bsky.social; it has no key before an =", list.flag, i+1)
			}
			f, err := fields.Parse(arg, list.typed)
			if err != nil {
				return opts, usageErr("api: -%s: %w", list.flag, err)
			}
			opts.fields = append(opts.fields, f)
		}
	}
	header, err := apiHeaders(fl.headers)
	if err != nil {
		return opts, err
	}
	opts.header = header
	m, known := lexicon.Lookup(opts.nsid)
	if known && opts.method == "" {
		if opts.method, err = lexiconMethod(m); err != nil {
			return opts, err
		}
	}
	if opts.method == "" {
		// gh's rule: a body makes it a procedure; but only a query has
		// pages.
		opts.method = http.MethodGet
		if !opts.paginate && (opts.input != "" || len(opts.fields) > 0) {
			opts.method = http.MethodPost
		}
	}
	switch {
	case opts.method == http.MethodGet && opts.input != "":
		return opts, usageErr("api: --input sends a body, which a query (GET) has not; use -X POST, or -f/-F for its parameters")
	case opts.paginate && opts.method != http.MethodGet:
		return opts, usageErr("api: --paginate follows the cursor of a query (GET), not of a procedure (POST)")
	}
	if known {
		return opts, applyLexicon(&opts, m)
	}
	return opts, nil
}

// apiHeaders reads -H's key:value lines (space after the colon optional)
// as gh does: a name given again adds a value, but Content-Type, which a
// body has one of, is replaced. A line that is not a header, or is one
// skyswitch or HTTP sets, is a usage error that quotes neither the value
// nor a name it does not know: either may hold a token.
func apiHeaders(lines []string) (http.Header, error) {
	if len(lines) == 0 {
		return nil, nil
	}
	h := http.Header{}
	for i, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, usageErr("api: -H (header %d) is key:value, such as 'Accept-Language: de'; it has no colon", i+1)
		}
		value = strings.Trim(value, " \t")
		if err := auth.CheckHeader(name, value); err != nil {
			return nil, usageErr("api: -H (header %d): %w", i+1, err)
		}
		if http.CanonicalHeaderKey(name) == "Content-Type" {
			h.Set(name, value)
		} else {
			h.Add(name, value)
		}
	}
	return h, nil
}

// clipText is s cut to 80 bytes, for quoting a mistaken argument.
func clipText(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
