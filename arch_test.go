package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportArrows keeps the package boundaries of STYLE.md true:
// server.go → api → graph → store → shop, graph → board → store; only api
// (the transport) and graph (the schema) import gqlgen, and graph never
// imports api; shop imports the standard library only.
func TestImportArrows(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps=false", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := map[string][]string{
		"bayboard/shop":       {"bayboard/", "github.com/", "golang.org/"},
		"bayboard/migrations": {"bayboard/", "github.com/"},
		"bayboard/store":      {"bayboard/api", "bayboard/graph", "bayboard/board", "bayboard/demo", "github.com/99designs/gqlgen", "github.com/vektah/gqlparser"},
		"bayboard/board":      {"bayboard/api", "bayboard/graph", "bayboard/demo", "github.com/99designs/gqlgen", "github.com/vektah/gqlparser"},
		"bayboard/graph":      {"bayboard/api", "bayboard/demo"},
		"bayboard/api":        {"bayboard/demo"},
		"bayboard/demo":       {"bayboard/api", "bayboard/graph", "bayboard/board", "github.com/99designs/gqlgen"},
		"bayboard/watch":      {"bayboard/api", "bayboard/graph", "bayboard/board", "bayboard/demo", "github.com/99designs/gqlgen", "github.com/vektah/gqlparser"},
		"bayboard/webhook":    {"bayboard/api", "bayboard/graph", "bayboard/board", "bayboard/demo", "github.com/99designs/gqlgen", "github.com/vektah/gqlparser"},
		"bayboard":            {"github.com/99designs/gqlgen", "github.com/vektah/gqlparser"},
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, imports := f[0], f[1:]
		for _, imp := range imports {
			for _, bad := range forbidden[pkg] {
				if strings.HasPrefix(imp, bad) {
					t.Errorf("%s imports %s: against the package arrows of STYLE.md", pkg, imp)
				}
			}
		}
	}
}

// TestStoreDecidesNothing keeps every rule in shop/: store/ loads, locks,
// calls a decision and saves. A rule shows itself as an error a user reads,
// so no file of store/ but error.go (which turns driver errors and missing
// rows into shop errors, in one place) may build one: no shop.Error literal
// and no call of shop's error constructors (Errorf, FieldErrorf, NotFoundf,
// Conflictf, any function of shop/error.go that returns an error).
func TestStoreDecidesNothing(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	ctors := map[string]bool{}
	shopErr, err := parser.ParseFile(fset, "shop/error.go", nil, 0)
	if err != nil {
		t.Fatalf("parse shop/error.go: %v", err)
	}
	for _, d := range shopErr.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Results == nil {
			continue
		}
		for _, r := range fn.Type.Results.List {
			if s := types.ExprString(r.Type); s == "error" || s == "*Error" {
				ctors[fn.Name.Name] = true
			}
		}
	}
	for _, want := range []string{"Errorf", "FieldErrorf"} {
		if !ctors[want] {
			t.Fatalf("shop/error.go has no constructor %s: this test no longer knows what to look for", want)
		}
	}
	files, err := filepath.Glob("store/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("store files: %v %v", files, err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") || filepath.Base(path) == "error.go" {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var sel *ast.SelectorExpr
			switch n := n.(type) {
			case *ast.CompositeLit:
				if s, ok := n.Type.(*ast.SelectorExpr); ok && isShop(s) && s.Sel.Name == "Error" {
					t.Errorf("%s: builds a shop.Error: the rule belongs in a shop decision", fset.Position(n.Pos()))
				}
				return true
			case *ast.CallExpr:
				sel, _ = n.Fun.(*ast.SelectorExpr)
			}
			if sel != nil && isShop(sel) && ctors[sel.Sel.Name] {
				t.Errorf("%s: calls shop.%s: the rule belongs in a shop decision (store/error.go translates)", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}

func isShop(s *ast.SelectorExpr) bool {
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == "shop"
}
