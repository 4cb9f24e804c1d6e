// Package lambdaemu runs a Lambda function's real deployment package on
// this machine, under the AWS Lambda Runtime Interface Emulator
// (aws-lambda-rie), and plays the parts of Lambda that the emulator does
// not: the Kinesis event source mapping (batches, retries, bisect on
// error, tumbling windows and their state, ReportBatchItemFailures and the
// on-failure destination) and asynchronous invocation (two retries, then the
// on-failure destination), as the Lambda developer guide documents them.
//
// It is a test and demo harness: moto stores functions but cannot run
// them, and never retries a batch. The functions it runs reach the local
// AWS through AWS_ENDPOINT_URL, and may reach it through a FaultProxy that
// fails or delays chosen requests.
package lambdaemu

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// RIEVersion is the emulator's version, pinned as the other tools are (the
// GNUmakefile installs this one into bin/).
const RIEVersion = "v0.0.0-20261030222936-bef5c4ba774d"

// RIEInstall is the line that installs the emulator.
const RIEInstall = "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@" + RIEVersion

// RIEPath finds aws-lambda-rie: on the PATH, or in the repository's bin/
// (where `make tools` puts it), looked for from the working directory up.
func RIEPath() (string, error) {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	dir, _ := os.Getwd()
	for dir != "" {
		p := filepath.Join(dir, "bin", "aws-lambda-rie")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", fmt.Errorf("aws-lambda-rie is not on the PATH nor in bin/; install it with `make tools` or: GOBIN=$PWD/bin %s", RIEInstall)
}

// Config is a function to run.
type Config struct {
	// Zip is the deployment package; its bootstrap is run.
	Zip []byte
	// Name is the function's name; default "function".
	Name string
	// Env is the function's environment, as Lambda reports it.
	Env map[string]string
	// Timeout is the function's timeout; default 60 s.
	Timeout time.Duration
	// MemoryMB is the function's memory size; default 256.
	MemoryMB int
	// Endpoint is where the function reaches AWS (AWS_ENDPOINT_URL), and
	// Region its region.
	Endpoint, Region string
	// Log, if set, receives the function's and the emulator's output.
	Log io.Writer
}

// Function is a function running under the emulator.
type Function struct {
	url     string
	cmd     *exec.Cmd
	dir     string
	done    chan struct{}
	timeout time.Duration

	mu      sync.Mutex
	reports map[string]Report
	init    time.Duration // the runtime's last init, until a REPORT takes it
	cond    *sync.Cond
	log     bytes.Buffer
}

// Report is what the emulator reports of an invocation.
type Report struct {
	RequestID string
	Duration  time.Duration
	// Init is the duration of the runtime's init, reported with the first
	// invocation after a start: from the bootstrap's exec to its first
	// request for an event, what Lambda reports as Init Duration (the
	// emulator's INIT REPORT line; the Init Duration of its REPORT line is
	// its sandbox's alone).
	Init time.Duration
}

// Result is the outcome of an invocation.
type Result struct {
	// Payload is the function's response, or its error document.
	Payload []byte
	// Error is the function's error message when it failed (returned an
	// error, panicked or timed out); "" on success.
	Error string
	// TimedOut says the function ran out of time.
	TimedOut bool
	Report   Report
}

// Start runs the emulator on a free loopback port with the bootstrap of the
// package; the function starts at its first invocation, as on Lambda.
func Start(ctx context.Context, cfg Config) (*Function, error) {
	rie, err := RIEPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "lambdaemu-*")
	if err != nil {
		return nil, err
	}
	f := &Function{dir: dir, done: make(chan struct{}), reports: map[string]Report{}, timeout: cfg.Timeout}
	f.cond = sync.NewCond(&f.mu)
	if f.timeout <= 0 {
		f.timeout = 60 * time.Second
	}
	fail := func(err error) (*Function, error) {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := unzip(cfg.Zip, dir); err != nil {
		return fail(fmt.Errorf("unpacking the deployment package: %w", err))
	}
	bootstrap := filepath.Join(dir, "bootstrap")
	if _, err := os.Stat(bootstrap); err != nil {
		return fail(errors.New("the deployment package has no bootstrap"))
	}
	ports, err := freePorts(2)
	if err != nil {
		return fail(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	f.url = "http://" + addr + "/2015-03-31/functions/function/invocations"
	name := cfg.Name
	if name == "" {
		name = "function"
	}
	mem := cfg.MemoryMB
	if mem <= 0 {
		mem = 256
	}
	env := []string{
		// Its INIT REPORT line is at level info; readLog drops the other
		// lines of that level.
		"PATH=/usr/bin:/bin", "HOME=" + dir, "LOG_LEVEL=info",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(int((f.timeout+time.Second-1)/time.Second)),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(mem),
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_REGION=" + cfg.Region, "AWS_DEFAULT_REGION=" + cfg.Region,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_SESSION_TOKEN=testing",
		"AWS_ENDPOINT_URL=" + cfg.Endpoint,
	}
	for k, v := range cfg.Env {
		env = append(env, k+"="+v)
	}
	cmd := exec.CommandContext(ctx, rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(ports[1]), bootstrap)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("starting %s: %w", rie, err))
	}
	f.cmd = cmd
	go f.readLog(out, cfg.Log)
	go func() { _ = cmd.Wait(); close(f.done) }()
	if err := waitListening(addr, f.done); err != nil {
		f.Stop()
		return nil, fmt.Errorf("the emulator did not start: %w\n%s", err, f.Log())
	}
	return f, nil
}

var (
	reportLine = regexp.MustCompile(`^REPORT RequestId: (\S+)\s+(?:Init Duration: ([0-9.]+) ms\s+)?Duration: ([0-9.]+) ms`)
	// The emulator's own lines of level info, and among them the runtime's
	// init: "07 Dec 2026 15:52:59,653 [INFO] (rapid) INIT REPORT(durationMs: 114.920000)".
	infoLine       = regexp.MustCompile(`^\d{2} \w{3} \d{4} [\d:,]+ \[INFO\] \(rapid\) `)
	initReportLine = regexp.MustCompile(`\(rapid\) INIT REPORT\(durationMs: ([0-9.]+)\)`)
)

// readLog keeps the output and the reports in it. Of the emulator's lines
// of level info, which narrate every invocation, it keeps only the init's
// duration, for the next REPORT.
func (f *Function) readLog(r io.Reader, copyTo io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if infoLine.MatchString(line) {
			if m := initReportLine.FindStringSubmatch(line); m != nil {
				f.mu.Lock()
				f.init = ms(m[1])
				f.mu.Unlock()
			}
			continue
		}
		f.mu.Lock()
		if f.log.Len() < 8<<20 {
			f.log.WriteString(line)
			f.log.WriteByte('\n')
		}
		if m := reportLine.FindStringSubmatch(line); m != nil {
			rep := Report{RequestID: m[1], Duration: ms(m[3]), Init: f.init}
			f.init = 0
			f.reports[m[1]] = rep
			f.cond.Broadcast()
		}
		f.mu.Unlock()
		if copyTo != nil {
			_, _ = io.WriteString(copyTo, line+"\n")
		}
	}
	f.mu.Lock()
	f.cond.Broadcast()
	f.mu.Unlock()
}

func ms(s string) time.Duration {
	v, _ := strconv.ParseFloat(s, 64)
	return time.Duration(v * float64(time.Millisecond))
}

// Log returns the output so far: the function's log lines and the
// emulator's START, END and REPORT lines.
func (f *Function) Log() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log.String()
}

// Invoke invokes the function synchronously with an event, as Lambda's
// event source mappings do.
func (f *Function) Invoke(ctx context.Context, event []byte) (Result, error) {
	id := newRequestID()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("X-Amzn-RequestId", id)
	client := &http.Client{Timeout: f.timeout + 30*time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("invoking the function: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return Result{}, err
	}
	res := Result{Payload: body}
	switch {
	case bytes.HasPrefix(body, []byte("Task timed out")):
		res.Error, res.TimedOut = string(body), true
	case resp.StatusCode >= 300:
		res.Error = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, body)
	default:
		var e struct {
			ErrorMessage *string `json:"errorMessage"`
			ErrorType    string  `json:"errorType"`
		}
		if json.Unmarshal(body, &e) == nil && e.ErrorMessage != nil {
			res.Error = e.ErrorType + ": " + *e.ErrorMessage
		}
	}
	res.Report = f.report(id)
	return res, nil
}

// report waits a little for the emulator's REPORT line of a request, which
// it prints before it answers but reaches us through a pipe.
func (f *Function) report(id string) Report {
	deadline := time.Now().Add(2 * time.Second)
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if r, ok := f.reports[id]; ok {
			delete(f.reports, id)
			return r
		}
		select {
		case <-f.done:
			return Report{RequestID: id}
		default:
		}
		if time.Now().After(deadline) {
			return Report{RequestID: id}
		}
		f.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		f.mu.Lock()
	}
}

// Stop stops the emulator and the function, and removes the unpacked
// package.
func (f *Function) Stop() {
	if f.cmd != nil && f.cmd.Process != nil {
		_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
		<-f.done
	}
	_ = os.RemoveAll(f.dir)
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func unzip(b []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	for _, zf := range zr.File {
		name := filepath.Clean(zf.Name)
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			return fmt.Errorf("bad path %q", zf.Name)
		}
		path := filepath.Join(dir, name)
		if zf.FileInfo().IsDir() {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		mode := zf.Mode().Perm() | 0o400
		out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
		if err != nil {
			_ = rc.Close()
			return err
		}
		_, err = io.Copy(out, rc)
		_ = rc.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func waitListening(addr string, done <-chan struct{}) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return errors.New("the emulator exited")
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("nothing listens on " + addr)
}
