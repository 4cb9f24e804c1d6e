// Package acctest runs acceptance and integration tests against a local AWS:
// it starts moto's server on a free loopback port for a test package, points
// the AWS SDK and Terraform at it, and stops it afterwards.
package acctest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Install lines printed when a tool the tests need is missing.
const (
	MotoInstall      = "pip install 'moto[server]>=5.0'"
	TerraformInstall = "install Terraform >= 1.11 on the PATH (https://developer.hashicorp.com/terraform/install), e.g. `apt-get install terraform` from HashiCorp's apt repository"
)

// AccountID is the account moto answers with by default.
const AccountID = "123456789012"

// Region is the region the tests use.
const Region = "us-east-1"

// Moto is a running moto server.
type Moto struct {
	URL     string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
}

// StartMoto starts moto_server on a free loopback port and waits until it answers.
func StartMoto() (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not on the PATH; install it with: %s", MotoInstall)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		m, err := startMotoOnce(bin)
		if err == nil {
			return m, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startMotoOnce(bin string) (*Moto, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.CreateTemp("", "moto-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Own process group, so Stop ends moto and any worker it forks; killed with us.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	_ = logFile.Close()
	m := &Moto{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, logPath: logFile.Name(), done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(m.done) }()

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-m.done:
			return nil, fmt.Errorf("moto_server exited before answering:\n%s", m.logTail())
		default:
		}
		if m.ready() {
			return m, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.Stop()
	return nil, fmt.Errorf("moto_server did not answer on %s within 60s:\n%s", m.URL, m.logTail())
}

func (m *Moto) ready() bool {
	client := http.Client{Timeout: time.Second}
	resp, err := client.Get(m.URL + "/moto-api/")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode < 500
}

// Reset drops everything moto holds, for a test that needs an empty AWS.
func (m *Moto) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("resetting moto: %w", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("resetting moto: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Stop ends moto and removes its log.
func (m *Moto) Stop() {
	if m == nil || m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-m.done
	}
	_ = os.Remove(m.logPath)
}

func (m *Moto) logTail() string {
	b, err := os.ReadFile(m.logPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free loopback port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// UseMoto points the AWS SDK, the AWS CLI and Terraform's test framework at
// moto, with fixed test credentials and no shared config from the machine.
func UseMoto(m *Moto) error {
	dir, err := os.MkdirTemp("", "vpcflow-aws-*")
	if err != nil {
		return err
	}
	env := map[string]string{
		"AWS_ENDPOINT_URL":            m.URL,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  Region,
		"AWS_DEFAULT_REGION":          Region,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"CHECKPOINT_DISABLE":          "1",
	}
	for k, v := range env {
		if v == "" {
			if err := os.Unsetenv(k); err != nil {
				return err
			}
			continue
		}
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}

// RequireTerraform makes terraform-plugin-testing use the terraform on the
// PATH (never a download) and turns acceptance tests on.
func RequireTerraform() error {
	bin, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on the PATH; " + TerraformInstall)
	}
	if err := os.Setenv("TF_ACC_TERRAFORM_PATH", bin); err != nil {
		return err
	}
	return os.Setenv("TF_ACC", "1")
}
