package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// No type of the package is named as a command is: the per-run type was
// env, which read as the env command's (issue 24).
func TestNoTypeNamedAfterACommand(t *testing.T) {
	t.Parallel()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	commands := map[string]bool{}
	for _, cmd := range table() {
		commands[cmd.name] = true
	}
	types := 0
	for _, pkg := range pkgs {
		for name, f := range pkg.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				if ts, ok := n.(*ast.TypeSpec); ok {
					types++
					if commands[ts.Name.Name] {
						t.Errorf("%s: type %s has a command's name", name, ts.Name.Name)
					}
				}
				return true
			})
		}
	}
	if types < 10 {
		t.Fatalf("only %d types found: the test no longer sees them", types)
	}
}
