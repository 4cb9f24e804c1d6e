// Command localaws starts moto's server on a free loopback port, as the Go
// tests do (internal/provider/acctest), prints the environment that points the AWS
// SDK, the AWS CLI and Terraform at it as shell lines, and keeps it running
// until it is told to stop:
//
//	localaws [-env-file FILE] [-stdin]
//
// The lines (`export NAME='value'` and `unset NAME`) go to FILE, written
// whole once moto answers and removed when it stops, or else to standard
// output, which is then closed: a reader that reads to the end has the
// whole environment. Moto
// stops on SIGINT, SIGTERM or SIGHUP and, with -stdin, when standard input
// reaches its end, which is how scripts/lib.sh runs it: as a bash coproc
// whose input only the script holds, so moto stops when the script exits,
// even when it is killed. Moto's own exit ends localaws with status 1; a
// missing moto_server, with its install line and status 1; unusable
// arguments, status 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

func main() {
	envFile := flag.String("env-file", "", "write the environment to this file instead of standard output")
	watchStdin := flag.Bool("stdin", false, "also stop when standard input reaches its end")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: localaws [-env-file FILE] [-stdin]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	var stdin io.Reader
	if *watchStdin {
		stdin = os.Stdin
	}
	if err := run(ctx, stdin, os.Stdout, *envFile); err != nil {
		fmt.Fprintln(os.Stderr, "localaws: "+err.Error())
		os.Exit(1)
	}
}

// run starts moto, publishes its environment to envFile or out, and stops
// moto when ctx ends or stdin (when not nil) reaches its end. It returns an
// error when moto cannot start or exits by itself.
func run(ctx context.Context, stdin io.Reader, out io.Writer, envFile string) error {
	moto, err := acctest.StartMoto()
	if err != nil {
		return err
	}
	defer moto.Stop()
	lines := shellLines(moto.Env())
	if envFile != "" {
		if err = writeFileWhole(envFile, lines); err == nil {
			// Once moto stops, the environment points nowhere.
			defer func() { _ = os.Remove(envFile) }()
		}
	} else {
		_, err = io.WriteString(out, lines)
		if c, ok := out.(io.Closer); ok && err == nil {
			// The end of the output says the environment is complete.
			err = c.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("publishing the environment of moto at %s: %w", moto.URL, err)
	}

	eof := make(chan struct{})
	if stdin != nil {
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			close(eof)
		}()
	}
	select {
	case <-ctx.Done():
	case <-eof:
	case <-moto.Done():
		return errors.New("moto_server at " + moto.URL + " exited")
	}
	return nil
}

// shellLines renders env as POSIX shell lines, one `export NAME='value'` or
// `unset NAME` a line.
func shellLines(env []acctest.EnvVar) string {
	var b strings.Builder
	for _, v := range env {
		if v.Unset {
			fmt.Fprintf(&b, "unset %s\n", v.Name)
			continue
		}
		fmt.Fprintf(&b, "export %s=%s\n", v.Name, shellQuote(v.Value))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell: in single quotes, where a single
// quote of s ends the quoting, is written escaped, and the quoting resumes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeFileWhole writes content to a temporary file beside path and renames
// it, so a reader waiting for path never sees part of it.
func writeFileWhole(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".localaws-env-*")
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return nil
}
