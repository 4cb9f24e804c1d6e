package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// covRegionFailOn keeps this test's VPCs and flow logs apart from the other
// coverage tests'.
const covRegionFailOn = "ca-central-1"

// TestAccCoverageDataSource_failOn: an existing flow log whose log group was
// deleted after it was created, and a VPC without a flow log, fail the plan
// when fail_on names them, and only then.
func TestAccCoverageDataSource_failOn(t *testing.T) {
	a := newCoverageAWS(t, covRegionFailOn, "")
	name := flName("failon")
	role := a.role(name, a.doc(flTrustGood), a.doc(covPermissions))
	covered := a.vpc("covered")
	a.vpc("uncovered")
	group := "/failon/" + name
	a.logGroup(group)
	failing := a.cwlFlowLog(covered, group, role)
	a.deleteLogGroup(group)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Without fail_on the scan only reports.
				Config: covConfig(covRegionFailOn, `  check_delivery = false`),
			},
			{
				Config:      covConfig(covRegionFailOn, `  fail_on = ["FAILING"]`),
				ExpectError: regexp.MustCompile(`(?s)1 flow log\(s\) deliver nothing.*` + failing + `.*fail_on\s+=\s+"FAILING"`),
			},
			{
				Config:      covConfig(covRegionFailOn, `  fail_on = ["UNCOVERED"]`),
				ExpectError: regexp.MustCompile(`(?s)VPC\(s\) have no flow log.*fail_on\s+=\s+"UNCOVERED"`),
			},
			{
				Config:      covConfig(covRegionFailOn, `  fail_on = ["BROKEN"]`),
				ExpectError: regexp.MustCompile(`(?s)fail_on\[0\] value must be one of`),
			},
			{
				// The destroy after the test reads the data source once more.
				Config: covConfig(covRegionFailOn, `  check_delivery = false`),
			},
		},
	})
}
