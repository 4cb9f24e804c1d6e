package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// planErrorCase is a resource body a plan must refuse, and what the error
// says.
type planErrorCase struct {
	name, body string
	want       *regexp.Regexp
}

// testAccPlanErrors plans, for each case,
//
//	resource "TYPE" "test" {
//	  NAMEATTR = "never-created"
//	  BODY
//	}
//
// and expects the case's error: nothing is created.
func testAccPlanErrors(t *testing.T, resourceType, nameAttr string, cases []planErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("resource %q \"test\" {\n  %s = \"never-created\"\n  %s\n}\n", resourceType, nameAttr, tc.body),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}
