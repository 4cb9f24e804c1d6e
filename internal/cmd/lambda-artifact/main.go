// Command lambda-artifact builds the reproducible Lambda zips of every
// deployment package of internal/pipeline/lambda/lambdazip, for each architecture, into
// internal/pipeline/lambda/artifact/dist, where the provider embeds them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/lambda/lambdazip"
)

func main() {
	out := flag.String("out", "internal/pipeline/lambda/artifact/dist", "directory for the zips")
	module := flag.String("module", ".", "module root")
	jobs := flag.Int("jobs", min(runtime.NumCPU(), 4), "builds at a time")
	flag.Parse()
	if err := build(context.Background(), *module, *out, max(*jobs, 1)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// build builds every (function, architecture) zip, jobs at a time. The
// builds share the Go build cache, so the packages two functions have in
// common compile once per architecture.
func build(ctx context.Context, module, out string, jobs int) error {
	arches := make([]string, 0, len(lambdazip.Arches))
	for arch := range lambdazip.Arches {
		arches = append(arches, arch)
	}
	sort.Strings(arches)
	type job struct {
		f    lambdazip.Function
		arch string
	}
	var all []job
	for _, arch := range arches {
		for _, f := range lambdazip.Functions {
			all = append(all, job{f, arch})
		}
	}
	// Zips of packages no longer listed would be embedded all the same.
	stale, _ := filepath.Glob(filepath.Join(out, "*.zip"))
	for _, path := range stale {
		if !slices.ContainsFunc(all, func(j job) bool { return j.f.FileName(j.arch) == filepath.Base(path) }) {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	lines := make([]string, len(all))
	errs := make([]error, len(all))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, j := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			zip, err := lambdazip.Build(ctx, module, j.f.Package, lambdazip.Arches[j.arch])
			if err != nil {
				errs[i] = err
				return
			}
			path := filepath.Join(out, j.f.FileName(j.arch))
			if err := os.WriteFile(path, zip, 0o644); err != nil {
				errs[i] = err
				return
			}
			lines[i] = fmt.Sprintf("%s  %s  %d bytes", lambdazip.SHA256Hex(zip), path, len(zip))
			if len(zip) > j.f.MaxZipSize {
				errs[i] = fmt.Errorf("%s is %d bytes, more than the %d its package may have (lambdazip.Functions)", path, len(zip), j.f.MaxZipSize)
			}
		}()
	}
	wg.Wait()
	for _, l := range lines {
		if l != "" {
			fmt.Println(l)
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
