package cli

// A command's flags: each flagSpec names a flag (-X, --method) and the
// field of the command's options it writes, so that a misspelt flag is a
// compile error, not a lookup that fails at run time; --help, the man
// page and the completion scripts read the same specs. parseFlags reads a
// command line GNU style, as gh's pflag does.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// flagSpec is one flag: its long name (--method), its one-letter form
// (-X) if it has one, what --help says of it, and where its value goes.
type flagSpec struct {
	long, short string
	usage       string
	value       flagValue // nil for the top level's words (--demo, --help)
	def         string    // the default --help shows, "" for none
	complete    []string  // the words its value completes with
	// from is where its value completes from: "handles" (the saved
	// handles) or "fields" (the parameters of api's method), else "".
	from string
}

// flagValue is the field a flag writes.
type flagValue interface {
	// set takes the value given; a bool is given "true" or "false".
	set(string) error
	// kind is "" for a bool, which takes no value, else the value's kind:
	// "string", "list" (given any number of times), "int" or "account".
	kind() string
}

type boolValue struct{ p *bool }

func (v boolValue) kind() string { return "" }
func (v boolValue) set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("invalid boolean value (true or false)")
	}
	*v.p = b
	return nil
}

type stringValue struct{ p *string }

func (v stringValue) kind() string       { return "string" }
func (v stringValue) set(s string) error { *v.p = s; return nil }

type listValue struct{ p *[]string }

func (v listValue) kind() string       { return "list" }
func (v listValue) set(s string) error { *v.p = append(*v.p, s); return nil }

type intValue struct{ p *int }

func (v intValue) kind() string { return "int" }
func (v intValue) set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("wants a whole number")
	}
	*v.p = n
	return nil
}

// accountValue is --account: a handle or DID, never empty nor a word that
// starts with a dash (--account --json is a missing account).
type accountValue struct{ p *string }

func (v accountValue) kind() string { return "account" }
func (v accountValue) set(s string) error {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "-") {
		return usageErr("--account needs a handle or DID")
	}
	*v.p = s
	return nil
}

// boolFlag, stringFlag, listFlag and intFlag bind a flag to a field; short
// is its one-letter form or "". A string's or a number's default is the
// field's value when the flag is made.
func boolFlag(p *bool, short, long, usage string) flagSpec {
	return flagSpec{long: long, short: short, usage: usage, value: boolValue{p}}
}

func stringFlag(p *string, short, long, usage string) flagSpec {
	return flagSpec{long: long, short: short, usage: usage, value: stringValue{p}, def: *p}
}

func listFlag(p *[]string, short, long, usage string) flagSpec {
	return flagSpec{long: long, short: short, usage: usage, value: listValue{p}}
}

func intFlag(p *int, short, long, usage string) flagSpec {
	return flagSpec{long: long, short: short, usage: usage, value: intValue{p}, def: strconv.Itoa(*p)}
}

// accountFlag is -a, --account, which completes with the saved handles.
func accountFlag(p *string) flagSpec {
	return flagSpec{long: "account", short: "a", value: accountValue{p}, from: "handles",
		usage: "the account to use (a handle or DID) instead of the active one"}
}

// completing is f with the words its value completes with.
func (f flagSpec) completing(words ...string) flagSpec { f.complete = words; return f }

// completingFrom is f with where its value completes from.
func (f flagSpec) completingFrom(from string) flagSpec { f.from = from; return f }

// kind is the kind of f's value ("" for a bool).
func (f flagSpec) kind() string {
	if f.value == nil {
		return ""
	}
	return f.value.kind()
}

// errHelp is a --help or -h among a command's flags: its help is printed
// and the run succeeds.
var errHelp = errors.New("help requested")

// flagParser reads the flags of one command (cmd "" for those before it).
type flagParser struct {
	cmd   string
	flags []flagSpec
}

// parse reads args GNU style: --name value, --name=value, -X value,
// -Xvalue, one-letter bools together (-ih), and -- ending the flags. The
// words that are not flags are returned in order; with rest, the first of
// them ends the flags too (exec's command line). A one-dash long name
// (-account) is refused with the two-dash one suggested: read as
// one-letter flags it would be -a ccount.
func (fp flagParser) parse(args []string, rest bool) ([]string, error) {
	var words []string
	for i := 0; i < len(args); {
		w := args[i]
		switch {
		case w == "--":
			return append(words, args[i+1:]...), nil
		case w == "-" || !strings.HasPrefix(w, "-"):
			if rest {
				return append(words, args[i:]...), nil
			}
			words = append(words, w)
			i++
			continue
		}
		n, err := fp.take(args[i:])
		if err != nil {
			return nil, err
		}
		i += n
	}
	return words, nil
}

// take reads the flag or flags args[0] gives, and says how many words
// they used (2 when the value is the next word).
func (fp flagParser) take(args []string) (int, error) {
	w := args[0]
	if long, ok := strings.CutPrefix(w, "--"); ok {
		name, value, given := strings.Cut(long, "=")
		if name == "help" {
			return 0, errHelp
		}
		f, ok := fp.find(func(f flagSpec) bool { return f.long == name })
		if !ok {
			return 0, fp.unknown("--"+name, "--"+name)
		}
		return fp.set(f, "--"+name, value, given, args[1:])
	}
	body := w[1:]
	if name, _, _ := strings.Cut(body, "="); len(name) > 1 {
		if name == "help" {
			return 0, errHelp // Go's flag package's -help, harmless
		}
		if _, ok := fp.find(func(f flagSpec) bool { return f.long == name }); ok {
			return 0, fp.unknown("-"+name, "--"+name)
		}
	}
	for i := 0; i < len(body); i++ {
		c := body[i : i+1]
		f, ok := fp.find(func(f flagSpec) bool { return f.short == c })
		switch {
		case !ok && c == "h":
			return 0, errHelp
		case !ok && i == 0:
			// The letter alone is named: the rest may be a value, even a
			// password (-pSECRET). A long name mistyped with one dash
			// (-jsn) is suggested; another letter for a letter is not.
			like, _, _ := strings.Cut(body, "=")
			if len(like) == 1 {
				like = ""
			} else {
				like = "--" + like
			}
			return 0, fp.unknown("-"+c, like)
		case !ok:
			return 0, fp.unknown("-"+c, "")
		case f.kind() == "":
			if err := fp.setValue(f, "-"+c, "true"); err != nil {
				return 0, err
			}
			continue
		}
		value := strings.TrimPrefix(body[i+1:], "=")
		return fp.set(f, "-"+c, value, i+1 < len(body), args[1:])
	}
	return 1, nil
}

// set gives f its value: the one in the word (given), else the next word.
func (fp flagParser) set(f flagSpec, spelled, value string, given bool, next []string) (int, error) {
	used := 1
	switch {
	case f.kind() == "" && !given:
		value = "true"
	case f.kind() == "" || given:
	case len(next) == 0 && f.kind() == "account":
		value = "" // its own words: --account needs a handle or DID
	case len(next) == 0:
		return 0, fp.hinted(fmt.Sprintf("flag needs an argument: %s", spelled))
	default:
		value, used = next[0], 2
	}
	return used, fp.setValue(f, spelled, value)
}

// setValue sets f, making its refusal a usage error naming the flag but
// not the value (which may be a secret typed in the wrong place).
func (fp flagParser) setValue(f flagSpec, spelled, value string) error {
	err := f.value.set(value)
	var ee *exitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return fp.hinted(err.Error())
	}
	return fp.hinted(fmt.Sprintf("%s: %v", spelled, err))
}

func (fp flagParser) find(match func(flagSpec) bool) (flagSpec, bool) {
	for _, f := range fp.flags {
		if f.value != nil && match(f) {
			return f, true
		}
	}
	return flagSpec{}, false
}

// unknown is the error for a flag the command has not, spelled as typed,
// with the nearest of its flags to like (if any is near).
func (fp flagParser) unknown(spelled, like string) error {
	var names []string
	for _, f := range fp.flags {
		names = append(names, f.names()...)
	}
	return withHint(fp.prefix()+"unknown flag "+spelled, like, names, fp.cmd)
}

func (fp flagParser) hinted(msg string) error { return withHint(fp.prefix()+msg, "", nil, fp.cmd) }

func (fp flagParser) prefix() string {
	if fp.cmd == "" {
		return ""
	}
	return fp.cmd + ": "
}

// names are f's spellings: -X then --method, or --name alone.
func (f flagSpec) names() []string {
	if f.short != "" {
		return []string{"-" + f.short, "--" + f.long}
	}
	return []string{"--" + f.long}
}

// dashed is f's long spelling, --name.
func (f flagSpec) dashed() string { return "--" + f.long }
