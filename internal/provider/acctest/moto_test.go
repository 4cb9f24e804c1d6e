package acctest

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestMain(m *testing.M) { MainMoto(m) }

func TestMotoAnswersTheSDK(t *testing.T) {
	out, err := sts.NewFromConfig(AWSConfig(t)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity against moto: %v", err)
	}
	if got := *out.Account; got != AccountID {
		t.Errorf("account = %q, want %q", got, AccountID)
	}
}

func TestStopEndsTheServer(t *testing.T) {
	PreCheck(t)
	m, err := StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	if !m.ready() {
		t.Fatal("a started moto does not answer")
	}
	m.Stop()
	if resp, err := http.Get(m.URL + "/moto-api/"); err == nil {
		_ = resp.Body.Close()
		t.Error("moto still answers after Stop")
	}
}

// TestPreCheck checks the gate: without TF_ACC a test that needs moto skips
// with the reason; with it, the test runs.
func TestPreCheck(t *testing.T) {
	for _, c := range []struct {
		value    string
		wantSkip bool
	}{{"", true}, {"1", false}, {"0", false}} {
		t.Run("TF_ACC="+c.value, func(t *testing.T) {
			t.Setenv(AccEnv, c.value)
			var ran bool
			inner := t.Run("test", func(t *testing.T) {
				PreCheck(t)
				ran = true
			})
			if !inner {
				t.Fatal("the guarded test failed")
			}
			if ran == c.wantSkip {
				t.Errorf("TF_ACC=%q: the guarded test ran = %v, want %v", c.value, ran, !c.wantSkip)
			}
		})
	}
}

// TestEnv checks the environment that points at moto: the endpoint, fixed
// credentials, and nothing from the machine's profiles or pager.
func TestEnv(t *testing.T) {
	m := &Moto{URL: "http://127.0.0.1:5999", dir: "/tmp/moto-dir"}
	got := map[string]EnvVar{}
	var names []string
	for _, v := range m.Env() {
		got[v.Name] = v
		names = append(names, v.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("Env is not sorted by name: %v", names)
	}
	for name, want := range map[string]EnvVar{
		"AWS_ENDPOINT_URL":      {Value: m.URL},
		"AWS_ACCESS_KEY_ID":     {Value: "testing"},
		"AWS_SECRET_ACCESS_KEY": {Value: "testing"},
		"AWS_REGION":            {Value: Region},
		"AWS_DEFAULT_REGION":    {Value: Region},
		"AWS_CONFIG_FILE":       {Value: "/tmp/moto-dir/aws-config"},
		"AWS_PROFILE":           {Unset: true},
		"AWS_SESSION_TOKEN":     {Unset: true},
		"AWS_PAGER":             {Value: ""},
	} {
		want.Name = name
		if got[name] != want {
			t.Errorf("%s: got %+v, want %+v", name, got[name], want)
		}
	}
}
