package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

const epData = "data.vpcflow_endpoint_policy.test"

func TestAccEndpointPolicyDataSource_events(t *testing.T) {
	central := "arn:aws:events:us-east-1:444455556666:event-bus/central"
	own := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"OwnAccountEventBuses","Effect":"Allow","Principal":"*","Action":"events:*","Resource":["arn:aws:events:%s:%s:event-bus/*"]}]}`,
		acctest.Region, acctest.AccountID)
	var providers configuredProviders
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers.factories(),
		Steps: []resource.TestStep{
			{
				// The account comes from the provider's credentials; the default bus is checked.
				Config: `data "vpcflow_endpoint_policy" "test" {
  service = "events"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("json"), knownvalue.StringExact(own)),
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("service_name"), knownvalue.StringExact("com.amazonaws.us-east-1.events")),
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("writes_allowed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
			{
				// The watchdog sends to a central account's bus the policy leaves out.
				Config: fmt.Sprintf(`data "vpcflow_endpoint_policy" "test" {
  service              = "events"
  account_id           = %q
  writer_role_arn      = "arn:aws:iam::%s:role/vpcflow-enricher"
  writer_resource_arns = [%q]
}`, acctest.AccountID, acctest.AccountID, central),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("writes_allowed"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"code":     knownvalue.StringExact("ENDPOINT_POLICY_BLOCKS_WRITE"),
							"severity": knownvalue.StringExact("warning"),
							"message":  knownvalue.StringRegexp(regexp.MustCompile(`events:PutEvents on ` + central + `.*OwnAccountEventBuses`)),
							"fix":      knownvalue.StringRegexp(regexp.MustCompile(`additional_resource_arns`)),
						}),
					})),
				},
			},
			{
				// The fix the finding gives.
				Config: fmt.Sprintf(`data "vpcflow_endpoint_policy" "test" {
  service                  = "events"
  account_id               = %q
  additional_resource_arns = [%q]
  writer_resource_arns     = [%q]
}`, acctest.AccountID, central, central),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("writes_allowed"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("json"), knownvalue.StringRegexp(regexp.MustCompile(`"Sid":"AdditionalResources".*`+central))),
				},
				Check: func(*terraform.State) error {
					// Only the first step asked STS for the account.
					if n := providers.maxCount("STS.GetCallerIdentity"); n > 1 {
						return fmt.Errorf("GetCallerIdentity called %d times by one provider instance", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccEndpointPolicyDataSource_logsPolicyGiven(t *testing.T) {
	group := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/vpcflow/rows", acctest.Region, acctest.AccountID)
	flowLogsOnly := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"FlowLogGroups","Effect":"Allow","Principal":"*","Action":"logs:*","Resource":"arn:aws:logs:%s:%s:log-group:/aws/vpc/*"}]}`,
		acctest.Region, acctest.AccountID)
	var providers configuredProviders
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers.factories(),
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`data "vpcflow_endpoint_policy" "test" {
  service              = "logs"
  account_id           = %q
  policy               = %q
  writer_resource_arns = [%q]
}`, acctest.AccountID, flowLogsOnly, group),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("json"), knownvalue.StringExact(flowLogsOnly)),
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("writes_allowed"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(epData, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"message": knownvalue.StringRegexp(regexp.MustCompile(`logs:CreateLogStream.*FlowLogGroups`))}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{"message": knownvalue.StringRegexp(regexp.MustCompile(`logs:PutLogEvents.*FlowLogGroups`))}),
					})),
				},
				Check: func(*terraform.State) error {
					if n := providers.total(); n != 0 {
						return fmt.Errorf("with account_id given the data source made %d AWS calls, want none", n)
					}
					return nil
				},
			},
			{
				Config: fmt.Sprintf(`data "vpcflow_endpoint_policy" "test" {
  service    = "logs"
  account_id = %q
  policy     = "{\"Statement\": ["
}`, acctest.AccountID),
				ExpectError: regexp.MustCompile(`Endpoint policy invalid: POLICY_INVALID_JSON`),
			},
		},
	})
}
