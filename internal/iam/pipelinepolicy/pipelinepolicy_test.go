package pipelinepolicy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
	testTable   = "arn:aws:dynamodb:us-east-1:123456789012:table/vpcflow-inventory"
	testStream  = "arn:aws:kinesis:us-east-1:123456789012:stream/vpcflow-flows"
	testQueue   = "arn:aws:sqs:us-east-1:123456789012:vpcflow-failed"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(p, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("%s differs from the golden file:\n%s", p, got)
	}
}

func executions() map[string]Execution {
	base := Execution{Region: testRegion, Account: testAccount, FunctionName: "vpcflow-enricher"}
	subscription := base
	subscription.Mode = ModeSubscription
	subscription.InventoryTableARN = testTable
	subscription.OutputBucket, subscription.OutputPrefix = "flows-bucket", "enriched/"

	bare := base
	bare.Mode = ModeSubscription

	kinesis := subscription
	kinesis.Mode = ModeKinesis
	kinesis.KinesisStreamARN = testStream
	kinesis.OnFailureDestinationARN = testQueue

	s3 := subscription
	s3.Mode = ModeS3
	s3.SourceQueueARN = "arn:aws:sqs:us-east-1:123456789012:vpcflow-flow-log-files"
	s3.SourceBucket, s3.SourcePrefix = "flows-bucket", "flow-logs/"

	inventory := base
	inventory.FunctionName = "vpcflow-inventory"
	inventory.Mode = ModeInventory
	inventory.InventoryTableARN = testTable
	inventory.OutputBucket = "ignored-in-inventory-mode"
	inventory.SourceAccountRoleARNs = []string{"arn:aws:iam::222222222222:role/vpcflow-read", "arn:aws:iam::111111111111:role/vpcflow-read"}
	inventory.OnFailureDestinationARN = "arn:aws:sns:us-east-1:123456789012:vpcflow-alerts"

	wd := base
	wd.FunctionName = "vpcflow-watchdog"
	wd.Mode = ModeWatchdog
	wd.Watchdog = testWatchdog()
	wd.OnFailureDestinationARN = testQueue

	wdMinimal := base
	wdMinimal.FunctionName = "vpcflow-watchdog"
	wdMinimal.Mode = ModeWatchdog
	wdMinimal.Watchdog = Watchdog{Namespace: "VPCFlow", EventBus: "default", EventSource: "vpcflow.watchdog",
		DetailTypes: []string{"Flow Log Delivery Failed", "Flow Log Delivery Recovered"}, ScanRegions: []string{testRegion}}

	compact := base
	compact.FunctionName = "vpcflow-compaction"
	compact.Mode = ModeCompact
	compact.OutputBucket, compact.OutputPrefix = "flows-bucket", "enriched/"

	china := subscription
	china.Partition, china.Region = "aws-cn", "cn-north-1"
	china.InventoryTableARN = "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/inv"
	return map[string]Execution{
		"execution_subscription": subscription, "execution_bare": bare, "execution_kinesis": kinesis,
		"execution_inventory": inventory, "execution_china": china,
		"execution_watchdog": wd, "execution_watchdog_minimal": wdMinimal, "execution_s3": s3, "execution_compact": compact,
	}
}

// testWatchdog scans its own account in two regions and one other account
// through a role, publishes to a named bus and keeps its state.
func testWatchdog() Watchdog {
	return Watchdog{
		Namespace: "Network/FlowLogs", EventBus: "security", EventSource: "vpcflow.watchdog",
		DetailTypes: []string{"Flow Log Delivery Failed", "Flow Log Delivery Recovered"},
		StateBucket: "watchdog-state", StatePrefix: "vpcflow-watchdog/",
		ScanRegions: []string{"us-west-2", testRegion},
		TargetRoles: []WatchdogTargetRole{{RoleARN: "arn:aws:iam::222222222222:role/vpcflow-watchdog-read", ExternalID: "x"}},
	}
}

func executionRole(t *testing.T, e Execution) delivery.ServiceRole {
	t.Helper()
	trust, err := ExecutionTrustDocument(e)
	if err != nil {
		t.Fatal(err)
	}
	perms, err := ExecutionPermissionsDocument(e)
	if err != nil {
		t.Fatal(err)
	}
	return delivery.ServiceRole{
		RoleARN:      "arn:" + partitionOr(e.Partition) + ":iam::" + e.Account + ":role/vpcflow/" + e.FunctionName,
		Service:      LambdaService,
		Caller:       "Lambda",
		Trust:        &delivery.NamedPolicy{Name: "trust policy", Document: trust},
		TrustContext: ExecutionTrustContext(e),
		Permissions:  []delivery.NamedPolicy{{Name: "inline policy " + ExecutionPolicyName, Document: perms}},
		Needs:        ExecutionNeeds(e),
	}
}

// TestExecutionDocumentsPassTheChecker: every execution role the package
// renders passes the checker with no finding at all, not even a warning.
func TestExecutionDocumentsPassTheChecker(t *testing.T) {
	t.Parallel()
	for name, e := range executions() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			role := executionRole(t, e)
			if fs := delivery.CheckServiceRole(role); len(fs) > 0 {
				t.Errorf("findings for a rendered role:\n%s", renderFindings(fs))
			}
			golden(t, name, role.Permissions[0].Document)
		})
	}
}

func TestExecutionTrustDocument_golden(t *testing.T) {
	t.Parallel()
	doc, err := ExecutionTrustDocument(Execution{Account: testAccount})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "execution_trust", doc)
}

// TestExecutionIsLeastPrivilege: what a mode does not need is not granted,
// and the checker catches a role that lacks what the mode needs.
func TestExecutionIsLeastPrivilege(t *testing.T) {
	t.Parallel()
	es := executions()
	cases := []struct {
		name         string
		e            Execution
		absent       []string
		boundary     string
		wantFindings []string
	}{
		{name: "subscription reads the inventory only", e: es["execution_subscription"], absent: []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "kinesis:", "ec2:", "sts:AssumeRole\"\n", "logs:CreateLogGroup"}},
		{name: "no table, no bucket", e: es["execution_bare"], absent: []string{"dynamodb:", "s3:", "kinesis:"}},
		{name: "inventory writes no objects", e: es["execution_inventory"], absent: []string{"s3:PutObject", "kinesis:"}},
		{name: "watchdog reads no inventory and no policies", e: es["execution_watchdog"],
			absent: []string{"dynamodb:", "kinesis:", "ec2:DescribeNetworkInterfaces", `"tag:`, `"iam:`, `"kms:`, "s3:GetBucketPolicy", "sts:GetCallerIdentity", "logs:CreateLogGroup", "connections/"}},
		{name: "watchdog without state or targets", e: es["execution_watchdog_minimal"], absent: []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket\"", "sts:AssumeRole"}},
		{
			name: "boundary without CloudWatch", e: es["execution_watchdog"],
			boundary:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"cloudwatch:*","Resource":"*"}]}`,
			wantFindings: []string{"PERMISSION_BOUNDARY_BLOCKS"},
		},
		{
			name: "boundary without DynamoDB", e: es["execution_subscription"],
			boundary:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*","s3:*"],"Resource":"*"}]}`,
			wantFindings: []string{"PERMISSION_BOUNDARY_BLOCKS"},
		},
		{
			name: "boundary without the stream", e: es["execution_kinesis"],
			boundary:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"kinesis:*","Resource":"*"}]}`,
			wantFindings: []string{"PERMISSION_BOUNDARY_BLOCKS"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			role := executionRole(t, tc.e)
			for _, a := range tc.absent {
				if strings.Contains(role.Permissions[0].Document, a) {
					t.Errorf("policy grants %q:\n%s", a, role.Permissions[0].Document)
				}
			}
			if tc.boundary != "" {
				role.Boundary = &delivery.NamedPolicy{Name: "boundary", Document: tc.boundary}
			}
			got := codes(delivery.CheckServiceRole(role))
			if strings.Join(got, ",") != strings.Join(tc.wantFindings, ",") {
				t.Errorf("finding codes %v, want %v", got, tc.wantFindings)
			}
		})
	}
}

func TestExecutionRejectsInconsistentInputs(t *testing.T) {
	t.Parallel()
	es := executions()
	noStream := es["execution_kinesis"]
	noStream.KinesisStreamARN = ""
	streamOutsideKinesis := es["execution_subscription"]
	streamOutsideKinesis.KinesisStreamARN = testStream
	noTable := es["execution_inventory"]
	noTable.InventoryTableARN = ""
	badMode := es["execution_bare"]
	badMode.Mode = "batch"
	wdWithTable := es["execution_watchdog"]
	wdWithTable.InventoryTableARN = testTable
	wdWithOutput := es["execution_watchdog"]
	wdWithOutput.OutputBucket = "flows"
	wdWithoutNamespace := es["execution_watchdog"]
	wdWithoutNamespace.Watchdog.Namespace = ""
	wdBadRole := es["execution_watchdog"]
	wdBadRole.Watchdog.TargetRoles = []WatchdogTargetRole{{RoleARN: "arn:aws:iam::222222222222:user/me"}}
	watchdogOutsideMode := es["execution_bare"]
	watchdogOutsideMode.Watchdog = testWatchdog()
	badDestination := es["execution_bare"]
	badDestination.OnFailureDestinationARN = "arn:aws:s3:::bucket"
	s3NoQueue := es["execution_s3"]
	s3NoQueue.SourceQueueARN = ""
	s3NotQueue := es["execution_s3"]
	s3NotQueue.SourceQueueARN = testStream
	s3ReadsOutput := es["execution_s3"]
	s3ReadsOutput.SourcePrefix = ""
	queueOutsideS3 := es["execution_subscription"]
	queueOutsideS3.SourceQueueARN, queueOutsideS3.SourceBucket = testQueue, "flows"
	for name, e := range map[string]Execution{
		"s3 without queue": s3NoQueue, "s3 queue not a queue": s3NotQueue, "s3 reading its output": s3ReadsOutput,
		"queue outside s3 mode":  queueOutsideS3,
		"kinesis without stream": noStream, "stream outside kinesis mode": streamOutsideKinesis,
		"inventory without table": noTable, "unknown mode": badMode, "S3 on-failure destination": badDestination,
		"watchdog with a table": wdWithTable, "watchdog with output": wdWithOutput, "watchdog without namespace": wdWithoutNamespace,
		"watchdog target not a role": wdBadRole, "watchdog outside its mode": watchdogOutsideMode,
	} {
		if doc, err := ExecutionPermissionsDocument(e); err == nil {
			t.Errorf("%s: rendered\n%s", name, doc)
		}
	}
}

func TestStatementResources(t *testing.T) {
	t.Parallel()
	doc, err := ExecutionPermissionsDocument(executions()["execution_inventory"])
	if err != nil {
		t.Fatal(err)
	}
	got := StatementResources(doc, SidAssumeSourceRoles)
	want := "arn:aws:iam::111111111111:role/vpcflow-read,arn:aws:iam::222222222222:role/vpcflow-read"
	if strings.Join(got, ",") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	if got := StatementResources(doc, SidReadKinesisStream); got != nil {
		t.Errorf("absent statement: got %v", got)
	}
}

// TestLogsRoleDocumentsPassTheChecker: a subscription or destination role
// written as the package renders it lets CloudWatch Logs deliver.
func TestLogsRoleDocumentsPassTheChecker(t *testing.T) {
	t.Parallel()
	const group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs"
	for _, targetARN := range []string{testStream, "arn:aws:firehose:us-east-1:123456789012:deliverystream/flows"} {
		target, err := ParseLogsTarget(targetARN)
		if err != nil {
			t.Fatal(err)
		}
		trust, err := LogsRoleTrustDocument("aws", testRegion, []string{testAccount})
		if err != nil {
			t.Fatal(err)
		}
		perms, err := LogsRolePermissionsDocument(target)
		if err != nil {
			t.Fatal(err)
		}
		role := delivery.ServiceRole{
			RoleARN: "arn:aws:iam::123456789012:role/cwl-to-stream", Service: LogsService, Caller: "CloudWatch Logs",
			Trust: &delivery.NamedPolicy{Name: "trust policy", Document: trust}, TrustContext: LogsTrustContext(group),
			Permissions: []delivery.NamedPolicy{{Name: "inline policy", Document: perms}}, Needs: LogsRoleNeeds(target),
		}
		if fs := delivery.CheckServiceRole(role); len(fs) > 0 {
			t.Errorf("%s: findings:\n%s", target.Kind, renderFindings(fs))
		}
		// The same role trusting another service fails.
		role.Trust.Document = strings.ReplaceAll(trust, LogsService, "firehose.amazonaws.com")
		if got := codes(delivery.CheckServiceRole(role)); len(got) == 0 || !strings.HasPrefix(got[0], "TRUST_") {
			t.Errorf("%s: trust of another service: codes %v, want a TRUST_ error", target.Kind, got)
		}
	}
	if _, err := ParseLogsTarget("arn:aws:lambda:us-east-1:123456789012:function:f"); err == nil {
		t.Error("a function is not a role target")
	}
}

func TestDestinationPolicy(t *testing.T) {
	t.Parallel()
	const dest = "arn:aws:logs:us-east-1:123456789012:destination:vpcflow"
	cases := map[string]DestinationAccess{
		"destination_accounts":     {DestinationARN: dest, Accounts: []string{"222222222222", "111111111111", "222222222222"}},
		"destination_one_account":  {DestinationARN: dest, Accounts: []string{"111111111111"}},
		"destination_organization": {DestinationARN: dest, OrganizationID: "o-a1b2c3d4e5"},
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, err := DestinationPolicyDocument(d)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name, doc)
			back, ok := ParseDestinationPolicy(doc)
			if !ok {
				t.Fatal("cannot read back the rendered policy")
			}
			again, err := DestinationPolicyDocument(back)
			if err != nil || again != doc {
				t.Errorf("round trip changed the policy: %v\n%s", err, again)
			}
			p, err := policy.Parse(doc, policy.Options{Name: name, Kind: policy.KindResource})
			if err != nil {
				t.Fatalf("IAM would reject the policy: %v", err)
			}
			allowed := func(account, org string) bool {
				ctx := map[string][]string{}
				if org != "" {
					ctx["aws:PrincipalOrgID"] = []string{org}
				}
				return policy.Evaluate(policy.Set{Identity: callerMayDoAnything, Resource: p, ResourceAccount: testAccount}, policy.Request{
					Principal: policy.Principal{Type: policy.PrincipalAWS, ID: "arn:aws:iam::" + account + ":root", Account: account},
					Action:    DestinationAction, Resource: dest, Context: ctx,
				}).Allowed()
			}
			if d.OrganizationID != "" {
				if !allowed("333333333333", d.OrganizationID) || allowed("333333333333", "o-zzzzzzzzzz") {
					t.Error("the organization condition does not decide")
				}
			} else if !allowed("111111111111", "") || allowed("333333333333", "") {
				t.Error("the account list does not decide")
			}
		})
	}
	for name, d := range map[string]DestinationAccess{
		"nobody":        {DestinationARN: dest},
		"both":          {DestinationARN: dest, Accounts: []string{"111111111111"}, OrganizationID: "o-a1b2c3d4e5"},
		"bad account":   {DestinationARN: dest, Accounts: []string{"1111"}},
		"bad org":       {DestinationARN: dest, OrganizationID: "org-1"},
		"not a dest":    {DestinationARN: testStream, Accounts: []string{"111111111111"}},
		"missing arn":   {Accounts: []string{"111111111111"}},
		"wildcard acct": {DestinationARN: dest, Accounts: []string{"*"}},
	} {
		if doc, err := DestinationPolicyDocument(d); err == nil {
			t.Errorf("%s: rendered\n%s", name, doc)
		}
	}
	if _, ok := ParseDestinationPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"*"}]}`); ok {
		t.Error("read back a policy the package did not render")
	}
}

func TestSourceRoleTrust(t *testing.T) {
	t.Parallel()
	central := "arn:aws:iam::999999999999:role/vpcflow/vpcflow-inventory"
	r := SourceRole{TrustedPrincipalARNs: []string{central}, ExternalID: "vpcflow-7c1d"}
	doc, err := SourceRoleTrustDocument(r)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "source_role_trust", doc)
	p, err := policy.Parse(doc, policy.Options{Name: "trust policy", Kind: policy.KindTrust})
	if err != nil {
		t.Fatalf("IAM would reject the trust policy: %v", err)
	}
	assume := func(principal, externalID string) bool {
		ctx := map[string][]string{}
		if externalID != "" {
			ctx["sts:ExternalId"] = []string{externalID}
		}
		return policy.Evaluate(policy.Set{Identity: callerMayDoAnything, Resource: p, ResourceAccount: testAccount}, policy.Request{
			Principal: policy.Principal{Type: policy.PrincipalAWS, ID: principal, Account: "999999999999"},
			Action:    "sts:AssumeRole", Context: ctx,
		}).Allowed()
	}
	if !assume(central, "vpcflow-7c1d") {
		t.Error("the central role cannot assume the role with the external ID")
	}
	if assume(central, "") || assume(central, "guess") {
		t.Error("the role can be assumed without the external ID")
	}
	if assume("arn:aws:iam::999999999999:role/other", "vpcflow-7c1d") {
		t.Error("another role of the central account can assume the role")
	}
	back, ok := ParseSourceRoleTrust(doc)
	if !ok || back.ExternalID != r.ExternalID || strings.Join(back.TrustedPrincipalARNs, ",") != central {
		t.Errorf("read back %+v, %v", back, ok)
	}
	for name, bad := range map[string]SourceRole{
		"no principal":     {ExternalID: "vpcflow-7c1d"},
		"service":          {TrustedPrincipalARNs: []string{"lambda.amazonaws.com"}, ExternalID: "vpcflow-7c1d"},
		"no external id":   {TrustedPrincipalARNs: []string{central}},
		"short id":         {TrustedPrincipalARNs: []string{central}, ExternalID: "x"},
		"id with a space":  {TrustedPrincipalARNs: []string{central}, ExternalID: "a b"},
		"wildcard account": {TrustedPrincipalARNs: []string{"*"}, ExternalID: "vpcflow-7c1d"},
	} {
		if doc, err := SourceRoleTrustDocument(bad); err == nil {
			t.Errorf("%s: rendered\n%s", name, doc)
		}
	}
}

func TestSourceRolePermissionsPassTheChecker(t *testing.T) {
	t.Parallel()
	doc, err := SourceRolePermissionsDocument()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "source_role_permissions", doc)
	role := delivery.ServiceRole{
		RoleARN: "arn:aws:iam::123456789012:role/vpcflow-read", Caller: "the central inventory function",
		Permissions: []delivery.NamedPolicy{{Name: "inline policy " + SourceRolePolicyName, Document: doc}},
		Needs:       SourceRoleNeeds(),
	}
	if fs := delivery.CheckServiceRole(role); len(fs) > 0 {
		t.Errorf("findings:\n%s", renderFindings(fs))
	}
	for _, write := range []string{"Create", "Delete", "Modify", "Put", "Update", "Tag\"", "Attach"} {
		if strings.Contains(doc, ":"+write) {
			t.Errorf("the read-only policy grants a %s action:\n%s", write, doc)
		}
	}
}

func TestParseARN(t *testing.T) {
	t.Parallel()
	a, err := ParseARN("arn:aws:logs:us-east-1:123456789012:log-group:/a:b:*")
	if err != nil || a.Service != "logs" || a.Account != testAccount || a.Resource != "log-group:/a:b:*" || a.String() != "arn:aws:logs:us-east-1:123456789012:log-group:/a:b:*" {
		t.Errorf("got %+v, %v", a, err)
	}
	for _, bad := range []string{"", "arn:aws:logs", "urn:aws:s3:::b", "arn:gcp:s3:::b", "arn:aws::us-east-1:1:x", "arn:aws:s3:::"} {
		if _, err := ParseARN(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// callerMayDoAnything stands for the caller's own identity policies, so a
// cross-account evaluation turns on the resource-based policy alone.
var callerMayDoAnything = []*policy.Policy{policy.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.Options{Name: "caller", Kind: policy.KindIdentity})}

func codes(fs []delivery.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func renderFindings(fs []delivery.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Severity + " " + f.Code + ": " + f.Message + "\n  fix: " + f.Fix + "\n")
	}
	return b.String()
}

func TestMappingFailureDestinationNeeds(t *testing.T) {
	t.Parallel()
	for arn, want := range map[string]string{
		testQueue: "sqs:SendMessage",
		"arn:aws:sns:us-east-1:123456789012:alerts": "sns:Publish",
		"arn:aws:s3:::failed-batches":               "s3:PutObject,s3:ListBucket",
	} {
		needs, err := MappingFailureDestinationNeeds(arn)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range needs {
			got = append(got, n.Action)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: %v, want %s", arn, got, want)
		}
	}
	if _, err := MappingFailureDestinationNeeds("arn:aws:lambda:us-east-1:123456789012:function:f"); err == nil {
		t.Error("a function is not a destination of a Kinesis mapping")
	}
}
