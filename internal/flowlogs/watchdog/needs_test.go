package watchdog

import (
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

const watchdogRole = "arn:aws:iam::111122223333:role/vpcflow-watchdog"

func watchdogRoleCheck(permissions string, d Deployment) []delivery.Finding {
	return delivery.CheckServiceRole(delivery.ServiceRole{
		RoleARN: watchdogRole, Service: "lambda.amazonaws.com",
		Trust:        &delivery.NamedPolicy{Name: "trust", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`},
		TrustContext: map[string][]string{"aws:SourceAccount": {account}},
		Permissions:  []delivery.NamedPolicy{{Name: "inline", Document: permissions}},
		Needs:        d.Needs(),
	})
}

// TestNeeds: the calls of a configuration, as an execution role must allow
// them; a role without events:PutEvents on the bus is refused.
func TestNeeds(t *testing.T) {
	t.Parallel()
	c, err := ConfigFromEnv(func(k string) string {
		return map[string]string{
			EnvTargets:     `[{"account_id":"111122223333"},{"role_arn":"arn:aws:iam::444455556666:role/reader"}]`,
			EnvStateBucket: "watchdog-state", EnvEventBus: "security",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	d := c.Deployment("aws", account, region)
	if !d.ScansOwnAccount || len(d.TargetRoleARNs) != 1 {
		t.Fatalf("deployment %+v", d)
	}
	good := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["ec2:DescribeVpcs","ec2:DescribeFlowLogs","s3:ListAllMyBuckets"],"Resource":"*"},
 {"Effect":"Allow","Action":"logs:DescribeLogGroups","Resource":"arn:aws:logs:eu-west-1:111122223333:log-group:*"},
 {"Effect":"Allow","Action":"cloudwatch:PutMetricData","Resource":"*","Condition":{"StringEquals":{"cloudwatch:namespace":"VPCFlow"}}},
 {"Effect":"Allow","Action":"events:PutEvents","Resource":"arn:aws:events:eu-west-1:111122223333:event-bus/security"},
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::watchdog-state/vpcflow-watchdog/*"},
 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::watchdog-state"},
 {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::444455556666:role/reader"}]}`
	if fs := watchdogRoleCheck(good, d); len(fs) != 0 {
		t.Errorf("a role allowing every call has findings: %v", fs)
	}
	defaultBus := strings.Replace(good, "event-bus/security", "event-bus/default", 1)
	fs := watchdogRoleCheck(defaultBus, d)
	if delivery.Valid(fs) || !strings.Contains(fs[0].Message, "events:PutEvents") {
		t.Errorf("a role for the default bus passed for bus security: %v", fs)
	}
	// Without s3:ListBucket, GetObject of the state a first run has not
	// written yet answers AccessDenied, not NoSuchKey, and S3State.Load
	// fails every run.
	noList := strings.Replace(good, `"Action":"s3:ListBucket"`, `"Action":"s3:GetBucketLocation"`, 1)
	fs = watchdogRoleCheck(noList, d)
	if delivery.Valid(fs) || !strings.Contains(fs[0].Message, "s3:ListBucket") {
		t.Errorf("a role without s3:ListBucket on the state bucket passed: %v", fs)
	}
}

// TestDeploymentRegions: a target without a role in another region is
// scanned there with the function's credentials, so its log groups are
// described there too; targets with roles add only sts:AssumeRole.
func TestDeploymentRegions(t *testing.T) {
	t.Parallel()
	c, err := ConfigFromEnv(func(k string) string {
		return map[string]string{
			EnvTargets: `[{"account_id":"111122223333"},{"account_id":"111122223333","region":"us-west-2"},` +
				`{"role_arn":"arn:aws:iam::444455556666:role/reader","external_id":"x-1"}]`,
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	w := c.Deployment("aws", account, region).Policy()
	if strings.Join(w.ScanRegions, ",") != region+",us-west-2" || len(w.TargetRoles) != 1 || w.TargetRoles[0].ExternalID != "x-1" {
		t.Fatalf("policy %+v", w)
	}
	var groups []string
	assumes := 0
	for _, n := range c.Deployment("aws", account, region).Needs() {
		if n.Action == "logs:DescribeLogGroups" {
			groups = append(groups, n.Resource)
		}
		if n.Action == "sts:AssumeRole" {
			assumes++
			if ids := n.Context["sts:ExternalId"]; len(ids) != 1 || ids[0] != "x-1" {
				t.Errorf("AssumeRole without the external ID: %+v", n)
			}
		}
	}
	if assumes != 1 {
		t.Errorf("%d sts:AssumeRole needs, want 1 for the one target role", assumes)
	}
	if len(groups) != 2 || !strings.Contains(groups[1], ":logs:us-west-2:") {
		t.Errorf("DescribeLogGroups resources %v", groups)
	}
}

func TestConfigFromEnvDefaults(t *testing.T) {
	t.Parallel()
	c, err := ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	d := c.Deployment("aws", account, region)
	if len(c.Targets) != 1 || !d.ScansOwnAccount || d.StateBucket != "" {
		t.Errorf("defaults %+v / %+v", c, d)
	}
	if len(d.Needs()) == 0 {
		t.Fatal("no needs at all")
	}
	for _, n := range d.Needs() {
		if strings.HasPrefix(n.Action, "s3:GetObject") || n.Action == "sts:AssumeRole" {
			t.Errorf("need %s without a state bucket or target roles", n.Action)
		}
	}
}
