package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// TestShellLines checks that a POSIX shell reading the lines gets every
// value back byte for byte and unsets what Env unsets.
func TestShellLines(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on the PATH")
	}
	env := []acctest.EnvVar{
		{Name: "LOCALAWS_PLAIN", Value: "http://127.0.0.1:5000"},
		{Name: "LOCALAWS_EMPTY", Value: ""},
		{Name: "LOCALAWS_QUOTES", Value: `it's "quoted" $HOME ` + "`id` \\ \n next line"},
		{Name: "LOCALAWS_GONE", Unset: true},
	}
	script := shellLines(env) + `printf '%s|%s|%s|%s' "$LOCALAWS_PLAIN" "${LOCALAWS_EMPTY-unset}" "$LOCALAWS_QUOTES" "${LOCALAWS_GONE-unset}"`
	cmd := exec.Command(sh, "-c", script)
	cmd.Env = append(os.Environ(), "LOCALAWS_GONE=from the machine")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sh -c: %v\n%s\nscript:\n%s", err, out, script)
	}
	want := env[0].Value + "||" + env[2].Value + "|unset"
	if string(out) != want {
		t.Errorf("the shell read\n%q\nwant\n%q", out, want)
	}
}

// answers reports whether a moto server answers at url.
func answers(url string) bool {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url + "/moto-api/")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode < 500
}

// endpoint returns the AWS_ENDPOINT_URL of shell lines.
func endpoint(t *testing.T, lines string) string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(lines))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "export AWS_ENDPOINT_URL="); ok {
			return strings.Trim(v, "'")
		}
	}
	t.Fatalf("no AWS_ENDPOINT_URL in:\n%s", lines)
	return ""
}

// TestRunStopsWhenStdinCloses runs localaws as lib.sh does: the environment
// is everything up to the end of its output, moto answers there, and the end
// of its input stops moto.
func TestRunStopsWhenStdinCloses(t *testing.T) {
	acctest.PreCheck(t)
	stdinR, stdinW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(context.Background(), stdinR, outW, "") }()

	lines, err := io.ReadAll(outR)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		stdinW.Close()
		t.Fatalf("localaws printed nothing: %v", <-done)
	}
	url := endpoint(t, string(lines))
	for _, want := range []string{"export AWS_ACCESS_KEY_ID='testing'\n", "export AWS_PAGER=''\n", "unset AWS_PROFILE\n"} {
		if !strings.Contains(string(lines), want) {
			t.Errorf("the environment has no %q:\n%s", want, lines)
		}
	}
	if !answers(url) {
		t.Errorf("moto does not answer at %s once its environment is printed", url)
	}
	select {
	case err := <-done:
		t.Fatalf("localaws returned before its input ended: %v", err)
	default:
	}

	if err := stdinW.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("localaws after its input ended: %v", err)
	}
	if answers(url) {
		t.Errorf("moto still answers at %s after localaws returned", url)
	}
}

// TestRunEnvFile runs localaws with -env-file: the file holds the whole
// environment while moto runs, and moto and the file are gone once it is
// told to stop (a signal, here the context).
func TestRunEnvFile(t *testing.T) {
	acctest.PreCheck(t)
	path := filepath.Join(t.TempDir(), "moto.env")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, io.Discard, path) }()

	var lines []byte
	for lines == nil {
		select {
		case err := <-done:
			t.Fatalf("localaws returned before writing %s: %v", path, err)
		case <-time.After(50 * time.Millisecond):
		}
		b, err := os.ReadFile(path)
		if err == nil {
			lines = b
		}
	}
	url := endpoint(t, string(lines))
	if !answers(url) {
		t.Errorf("moto does not answer at %s once %s is written", url, path)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("localaws after the context ended: %v", err)
	}
	if answers(url) {
		t.Errorf("moto still answers at %s after localaws returned", url)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s is still there after moto stopped (%v)", path, err)
	}
}
