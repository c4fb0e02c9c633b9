package main

import (
	"os/exec"
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
