package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// lookupKinds: which accessor of parsed reads which kind of flag.
var lookupKinds = map[string]func(flagSpec) bool{
	"on":     func(f flagSpec) bool { return f.value == "" },
	"str":    func(f flagSpec) bool { return f.value == "string" },
	"list":   func(f flagSpec) bool { return f.value == "list" },
	"number": func(f flagSpec) bool { return f.value == "int" },
}

// Every flag a command's code reads by name (p.on("json"), p.str("X"))
// is one its table row defines, of that kind: a typo, which would panic
// at run time on a nil pointer, fails here instead. A file that builds a
// command is held to that command's flags; another file to any command's.
func TestFlagLookupsNameTableFlags(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		for _, bad := range badLookups(t, file, &checked) {
			t.Error(bad)
		}
	}
	if checked < 20 {
		t.Errorf("only %d lookups found: the test no longer sees them", checked)
	}
}

// badLookups are the lookups in file that name no flag of the file's
// command(s) of the accessor's kind.
func badLookups(t *testing.T, file string, checked *int) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	cmds := map[string]bool{} // the commands the file builds
	parsedNames := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if id, ok := n.Type.(*ast.Ident); ok && id.Name == "command" {
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, "name") {
						if lit, ok := kv.Value.(*ast.BasicLit); ok {
							name, _ := strconv.Unquote(lit.Value)
							cmds[name] = true
						}
					}
				}
			}
		case *ast.Field:
			if star, ok := n.Type.(*ast.StarExpr); ok && isIdent(star.X, "parsed") {
				for _, name := range n.Names {
					parsedNames[name.Name] = true
				}
			}
		}
		return true
	})
	var bad []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !isParsed(sel.X, parsedNames) || lookupKinds[sel.Sel.Name] == nil {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true // a name computed at run time (api's -f/-F loop)
		}
		name, _ := strconv.Unquote(lit.Value)
		*checked++
		if !defines(cmds, name, lookupKinds[sel.Sel.Name]) {
			bad = append(bad, fset.Position(call.Pos()).String()+": p."+sel.Sel.Name+"("+lit.Value+") names no such flag of "+commandsOf(cmds))
		}
		return true
	})
	return bad
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isParsed(e ast.Expr, names map[string]bool) bool {
	id, ok := e.(*ast.Ident)
	return ok && names[id.Name]
}

// defines says whether one of cmds (any command when cmds is empty) has
// the flag name of the kind.
func defines(cmds map[string]bool, name string, kind func(flagSpec) bool) bool {
	for _, cmd := range table() {
		if len(cmds) > 0 && !cmds[cmd.name] {
			continue
		}
		for _, f := range cmd.cmdFlags() {
			if f.name == name && kind(f) {
				return true
			}
		}
	}
	return false
}

func commandsOf(cmds map[string]bool) string {
	if len(cmds) == 0 {
		return "any command"
	}
	var names []string
	for n := range cmds {
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}
