package acctest

import (
	"context"
	"net/http"
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
