//go:build cgo

// Command answers asks the named queries of the rows a demo run wrote
// (internal/testbed/demo) in DuckDB, standing in for Athena, prints the answers
// and compares them with the ground truth beside the rows:
//
//	answers [-dir DIR] [-stage N/M]
//
// It exits 1 when an answer differs from the ground truth or the rows
// cannot be read, 2 on unusable arguments. It is apart from the demo's
// runner because DuckDB needs cgo, and the runner then builds from the
// provider's build cache.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/demo"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/demo/answers"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

func main() {
	dir := flag.String("dir", "demo-output", "directory of a demo run: its rows and truth.json")
	stage := flag.String("stage", "", "stage number to print, such as 6/6")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: answers [-dir DIR] [-stage N/M]")
		os.Exit(2)
	}
	b, err := os.ReadFile(filepath.Join(*dir, demo.TruthFile))
	if err != nil {
		fail(err)
	}
	var truth synthetic.Truth
	if err := json.Unmarshal(b, &truth); err != nil {
		fail(fmt.Errorf("%s: %w", demo.TruthFile, err))
	}
	if *stage != "" {
		fmt.Printf("[%s] ", *stage)
	}
	fmt.Println("answering the named queries (waiting for DuckDB, standing in for Athena, over the rows)")
	as, err := answers.Run(filepath.Join(*dir, demo.RowsDir), truth, os.Stdout)
	if err != nil {
		fail(err)
	}
	if n := answers.Mismatches(as); n > 0 {
		fail(fmt.Errorf("%d of %d answers differ from the ground truth", n, len(as)))
	}
	fmt.Printf("\n      all %d answers match the ground truth\n", len(as))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "answers:", err)
	os.Exit(1)
}
