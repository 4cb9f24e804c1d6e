package coveragescan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/rolepolicy"
)

const (
	remDeliveryRole   = "arn:aws:iam::111122223333:role/vpc-flow-logs-enabled-delivery"
	remAutomationRole = "arn:aws:iam::111122223333:role/vpc-flow-logs-enabled-automation"
)

func cwlRemediation() Remediation {
	return Remediation{
		Account: testAccount, Region: testRegion, RuleName: "vpc-flow-logs-enabled", TrafficType: TrafficAll,
		DestinationType: delivery.DestinationCloudWatchLogs, Destination: groupARN("/aws/vpc/flow-logs"),
		DeliveryRoleARN: remDeliveryRole, AutomationRoleARN: remAutomationRole,
	}
}

func s3Remediation() Remediation {
	return Remediation{
		Account: testAccount, Region: testRegion, RuleName: "vpc-flow-logs-enabled", TrafficType: TrafficReject,
		DestinationType: delivery.DestinationS3, Destination: "arn:aws:s3:::central-flow-logs/vpc",
		AutomationRoleARN: remAutomationRole,
	}
}

// TestRemediationRolesPassTheChecker: every role the remediation creates
// passes the delivery checker with no finding at all, not even a warning.
func TestRemediationRolesPassTheChecker(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]Remediation{"cloud-watch-logs": cwlRemediation(), "s3": s3Remediation()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			trust, err := r.AutomationTrustDocument()
			if err != nil {
				t.Fatal(err)
			}
			perms, err := r.AutomationPermissionsDocument()
			if err != nil {
				t.Fatal(err)
			}
			if fs := delivery.CheckServiceRole(r.AutomationRole(trust, perms)); len(fs) != 0 {
				t.Errorf("Automation role findings: %v", fs)
			}
			if r.DestinationType != delivery.DestinationCloudWatchLogs {
				return
			}
			dtrust, err := rolepolicy.TrustDocument(rolepolicy.Trust{Account: r.Account, Regions: []string{r.Region}})
			if err != nil {
				t.Fatal(err)
			}
			dperms, err := rolepolicy.PermissionsDocument(rolepolicy.Permissions{LogGroupARNs: []string{r.Destination}, AllowCreateLogGroup: true})
			if err != nil {
				t.Fatal(err)
			}
			fs := delivery.Check(delivery.Input{
				DestinationType: r.DestinationType, DestinationARN: r.Destination, FlowLogAccount: r.Account, FlowLogRegion: r.Region,
				RoleARN: r.DeliveryRoleARN, TrustPolicy: &delivery.NamedPolicy{Name: "trust", Document: dtrust},
				PermissionPolicies: []delivery.NamedPolicy{{Name: "inline", Document: dperms}}, LogGroupMayNotExist: true,
			})
			if len(fs) != 0 {
				t.Errorf("delivery role findings: %v", fs)
			}
		})
	}
}

// TestAutomationRoleCheckCanFail: the check is not vacuous: without the
// PassRole statement, or with a trust policy for another service, the
// Automation role is refused.
func TestAutomationRoleCheckCanFail(t *testing.T) {
	t.Parallel()
	r := cwlRemediation()
	trust, _ := r.AutomationTrustDocument()
	perms, _ := r.AutomationPermissionsDocument()
	var d map[string]any
	if err := json.Unmarshal([]byte(perms), &d); err != nil {
		t.Fatal(err)
	}
	stmts := d["Statement"].([]any)
	d["Statement"] = stmts[:len(stmts)-1] // drop PassDeliveryRole
	noPass, _ := json.Marshal(d)
	fs := delivery.CheckServiceRole(r.AutomationRole(trust, string(noPass)))
	if !hasCodeOf(fs, "PERMISSION_ACTION_MISSING", "iam:PassRole") {
		t.Errorf("without PassRole: %v", fs)
	}
	fs = delivery.CheckServiceRole(r.AutomationRole(strings.ReplaceAll(trust, SSMService, "config.amazonaws.com"), perms))
	if delivery.Valid(fs) {
		t.Errorf("a trust policy for config.amazonaws.com passed: %v", fs)
	}
}

func hasCodeOf(fs []delivery.Finding, code, text string) bool {
	for _, f := range fs {
		if f.Code == code && strings.Contains(f.Message, text) {
			return true
		}
	}
	return false
}

func TestRemediationDocument(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]Remediation{"cloud-watch-logs": cwlRemediation(), "s3": s3Remediation()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, err := r.Document()
			if err != nil {
				t.Fatal(err)
			}
			var d struct {
				SchemaVersion string `json:"schemaVersion"`
				AssumeRole    string `json:"assumeRole"`
				MainSteps     []struct {
					Action string         `json:"action"`
					Inputs map[string]any `json:"inputs"`
				} `json:"mainSteps"`
			}
			if err := json.Unmarshal([]byte(doc), &d); err != nil {
				t.Fatal(err)
			}
			if d.SchemaVersion != "0.3" || d.AssumeRole != "{{ AutomationAssumeRole }}" || len(d.MainSteps) != 2 ||
				d.MainSteps[0].Action != "aws:executeAwsApi" || d.MainSteps[1].Action != "aws:assertAwsResourceProperty" {
				t.Errorf("document shape: %+v", d)
			}
			_, hasRole := d.MainSteps[0].Inputs["DeliverLogsPermissionArn"]
			if hasRole != (r.DestinationType == delivery.DestinationCloudWatchLogs) {
				t.Errorf("DeliverLogsPermissionArn present = %v for %s", hasRole, r.DestinationType)
			}
			back, ok := RemediationFromDocument(doc)
			if !ok || back.Destination != r.Destination || back.DestinationType != r.DestinationType || back.TrafficType != r.TrafficType ||
				back.DeliveryRoleARN != r.DeliveryRoleARN || back.AutomationRoleARN != r.AutomationRoleARN {
				t.Errorf("read back %+v, ok %v; want %+v", back, ok, r)
			}
		})
	}
	if _, ok := RemediationFromDocument(`{"schemaVersion":"0.3","mainSteps":[{"name":"Other"}]}`); ok {
		t.Error("a document the provider did not write was read back")
	}
	bad := cwlRemediation()
	bad.DeliveryRoleARN = ""
	if _, err := bad.Document(); err == nil {
		t.Error("a CloudWatch Logs remediation without a delivery role rendered")
	}
}
