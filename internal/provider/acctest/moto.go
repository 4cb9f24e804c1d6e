// Package acctest runs acceptance and integration tests against a local AWS:
// it starts moto's server on a free loopback port for a test package, points
// the AWS SDK and Terraform at it, and stops it afterwards. It is also the
// one moto launcher of the scripts, through internal/cmd/localaws.
//
// Acceptance tests run only when TF_ACC is set, as in terraform-plugin-testing:
// without it a package's TestMain starts and requires nothing, and the tests
// that need moto or Terraform skip (see PreCheck).
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
	"slices"
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
	URL string
	cmd *exec.Cmd
	// dir holds moto's log and the (absent) AWS configuration files Env
	// names; Stop removes it.
	dir  string
	done chan struct{}
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
	dir, err := os.MkdirTemp("", "vpcflow-moto-*")
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Own process group, so Stop ends moto and any worker it forks; killed with us.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	_ = logFile.Close()
	m := &Moto{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, dir: dir, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(m.done) }()

	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-m.done:
			tail := m.logTail()
			_ = os.RemoveAll(m.dir)
			return nil, fmt.Errorf("moto_server exited before answering:\n%s", tail)
		default:
		}
		if m.ready() {
			return m, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	tail := m.logTail()
	m.Stop()
	return nil, fmt.Errorf("moto_server did not answer on %s within 60s:\n%s", m.URL, tail)
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

// Stop ends moto and removes its log; it may be called more than once.
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
	_ = os.RemoveAll(m.dir)
}

// Done is closed once the moto process has exited, stopped or not.
func (m *Moto) Done() <-chan struct{} { return m.done }

func (m *Moto) logTail() string {
	b, err := os.ReadFile(filepath.Join(m.dir, "moto.log"))
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

// EnvVar is one variable of the environment that points at moto: set to
// Value, or unset.
type EnvVar struct {
	Name  string
	Value string
	Unset bool
}

// Env is the environment that points the AWS SDK, the AWS CLI and Terraform
// at moto, with fixed test credentials and no shared configuration or
// profile from the machine, sorted by name. The shared configuration files
// it names are in a directory Stop removes, and do not exist.
func (m *Moto) Env() []EnvVar {
	env := []EnvVar{
		{Name: "AWS_ENDPOINT_URL", Value: m.URL},
		{Name: "AWS_ACCESS_KEY_ID", Value: "testing"},
		{Name: "AWS_SECRET_ACCESS_KEY", Value: "testing"},
		{Name: "AWS_SESSION_TOKEN", Unset: true},
		{Name: "AWS_REGION", Value: Region},
		{Name: "AWS_DEFAULT_REGION", Value: Region},
		{Name: "AWS_PROFILE", Unset: true},
		{Name: "AWS_CONFIG_FILE", Value: filepath.Join(m.dir, "aws-config")},
		{Name: "AWS_SHARED_CREDENTIALS_FILE", Value: filepath.Join(m.dir, "aws-credentials")},
		{Name: "AWS_EC2_METADATA_DISABLED", Value: "true"},
		// Empty, not unset: the AWS CLI pipes its output to a pager otherwise.
		{Name: "AWS_PAGER", Value: ""},
		{Name: "CHECKPOINT_DISABLE", Value: "1"},
	}
	slices.SortFunc(env, func(a, b EnvVar) int { return strings.Compare(a.Name, b.Name) })
	return env
}

// UseMoto sets the environment of this process to m.Env().
func UseMoto(m *Moto) error {
	for _, v := range m.Env() {
		if v.Unset {
			if err := os.Unsetenv(v.Name); err != nil {
				return err
			}
			continue
		}
		if err := os.Setenv(v.Name, v.Value); err != nil {
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
