package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// module is this module's path.
const module = "github.com/skyswitch/skyswitch"

// goValueFlags are the go command's flags (build and test) that take the
// next word as their value.
var goValueFlags = map[string]bool{
	"-run": true, "-bench": true, "-skip": true, "-fuzz": true, "-count": true, "-timeout": true,
	"-fuzztime": true, "-benchtime": true, "-cpu": true, "-p": true, "-tags": true, "-o": true,
	"-ldflags": true, "-gcflags": true, "-coverprofile": true, "-C": true,
}

// checkGo checks a README example of the go command: its packages are
// there, go run . runs a command line skyswitch takes, and each -run or
// -bench of go test names at least one function of its package's tests.
func checkGo(root string, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("go with no command")
	}
	sub, rest := args[0], args[1:]
	var pkgs, patterns []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if strings.HasPrefix(a, "-") {
			name, value, hasValue := strings.Cut(a, "=")
			if goValueFlags[name] && !hasValue && i+1 < len(rest) {
				i++
				value = rest[i]
			}
			if name == "-run" || name == "-bench" {
				patterns = append(patterns, value)
			}
			continue
		}
		pkgs = append(pkgs, a)
		if sub == "run" {
			if a == "." {
				return checkSkyswitch(rest[i+1:])
			}
			break
		}
	}
	switch sub {
	case "run", "test", "build", "vet", "install":
	default:
		return nil
	}
	if len(pkgs) == 0 {
		pkgs = []string{"."}
	}
	for _, p := range pkgs {
		// This module by its path (go install …@latest) is this tree.
		if rest, ok := strings.CutPrefix(p, module); ok && (rest == "" || strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "@")) {
			rest, _, _ = strings.Cut(rest, "@")
			p = "." + rest
		}
		dir := filepath.Join(root, strings.TrimSuffix(strings.TrimSuffix(p, "..."), "/"))
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("no package %s", p)
		}
		if strings.HasSuffix(p, "...") {
			continue
		}
		for _, pat := range patterns {
			if err := namesATest(dir, pat); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	return nil
}

var testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Fuzz)\w*)\(`)

// namesATest: pattern (its part before any "/", the subtests') matches a
// test, benchmark or fuzz target in dir's test files; "^$", which runs
// none, is taken as meant.
func namesATest(dir, pattern string) error {
	top, _, _ := strings.Cut(pattern, "/")
	if top == "^$" {
		return nil
	}
	re, err := regexp.Compile(top)
	if err != nil {
		return err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(src), -1) {
			if re.MatchString(m[1]) {
				return nil
			}
		}
	}
	return fmt.Errorf("no test matches %q", pattern)
}
