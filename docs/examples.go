// Package docs holds the documentation for client developers; its example
// operations (examples/*.graphql) are embedded here so that the server can
// preload them into GraphiQL and a test can run them against the demo data
// (graph/docs_test.go). Imports the standard library only.
package docs

import (
	"embed"
	"io/fs"
	"strings"
)

// Examples holds examples/*.graphql, one file per screen.
//
//go:embed examples/*.graphql
var Examples embed.FS

// ExampleNames returns the example files' names, sorted.
func ExampleNames() []string {
	names, _ := fs.Glob(Examples, "examples/*.graphql")
	return names
}

// AllExamples returns every example file in one document (operation names
// are unique across files), each headed by its file name.
func AllExamples() string {
	var b strings.Builder
	b.WriteString("# Bayboard example operations, one section per screen (docs/examples/).\n")
	b.WriteString("# Pick an operation with the run button's menu. Get a siteId from { sites { id code name } };\n")
	b.WriteString("# the Headers tab holds a demo token: see docs/authentication.md.\n\n")
	for _, name := range ExampleNames() {
		src, _ := Examples.ReadFile(name)
		b.WriteString("# ---- docs/" + name + "\n\n")
		b.Write(src)
		b.WriteString("\n")
	}
	return b.String()
}
