// Command findingcodes writes the finding code reference page from the
// checkers' code lists (go generate ./internal/flowlogs/findingdoc).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/findingdoc"
)

func main() {
	out := flag.String("out", "templates/guides/finding-codes.md.tmpl", "file to write")
	flag.Parse()
	if err := os.WriteFile(*out, []byte(findingdoc.Markdown()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
