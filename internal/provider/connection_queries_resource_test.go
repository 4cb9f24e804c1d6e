package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// Moto (5.2) serves CreateWorkGroup, GetWorkGroup, DeleteWorkGroup,
// CreateNamedQuery, GetNamedQuery and ListNamedQueries, but not
// DeleteNamedQuery, UpdateNamedQuery or UpdateWorkGroup. So every test here
// saves the queries in a workgroup of its own, which destroy deletes with
// them (RecursiveDeleteOption); changes of the queries' text and of the
// workgroup's settings are checked as plans, not applied.

const testAccConnectionQueriesAddress = "vpcflow_connection_queries.test"

func testAccAthenaClient(t *testing.T) *athena.Client {
	return athena.NewFromConfig(acctest.AWSConfig(t))
}

func testAccConnectionQueriesConfig(workgroup, body string) string {
	return fmt.Sprintf(`
resource "vpcflow_connection_queries" "test" {
  database         = "vpcflow"
  workgroup        = %q
  create_workgroup = true
%s
}
`, workgroup, body)
}

// testAccCheckNamedQueries checks each saved query against the text of
// internal/pipeline/queries rendered for the table and app.
func testAccCheckNamedQueries(t *testing.T, workgroup, table string, app *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c := testAccAthenaClient(t)
		ids, err := c.ListNamedQueries(context.Background(), &athena.ListNamedQueriesInput{WorkGroup: aws.String(workgroup)})
		if err != nil {
			return err
		}
		want := map[string]string{}
		for _, q := range queries.All() {
			sql, err := q.NamedQuery(table, app)
			if err != nil {
				return err
			}
			want[q.Name] = sql
		}
		if len(ids.NamedQueryIds) != len(want) {
			return fmt.Errorf("%d named queries in %s, want %d", len(ids.NamedQueryIds), workgroup, len(want))
		}
		for _, id := range ids.NamedQueryIds {
			out, err := c.GetNamedQuery(context.Background(), &athena.GetNamedQueryInput{NamedQueryId: aws.String(id)})
			if err != nil {
				return err
			}
			nq := out.NamedQuery
			name := aws.ToString(nq.Name)
			if aws.ToString(nq.QueryString) != want[name] {
				return fmt.Errorf("named query %s:\n%s\nwant\n%s", name, aws.ToString(nq.QueryString), want[name])
			}
			if aws.ToString(nq.Database) != "vpcflow" || aws.ToString(nq.Description) == "" {
				return fmt.Errorf("named query %s: database %q, description %q", name, aws.ToString(nq.Database), aws.ToString(nq.Description))
			}
			delete(want, name)
		}
		if len(want) > 0 {
			return fmt.Errorf("queries not saved: %v", want)
		}
		return nil
	}
}

func testAccCheckWorkGroupDestroyed(t *testing.T, workgroup string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := findWorkGroup(context.Background(), testAccAthenaClient(t), workgroup)
		if err == nil {
			return fmt.Errorf("workgroup %s still exists", workgroup)
		}
		return nil
	}
}

func TestAccConnectionQueries_basic(t *testing.T) {
	workgroup := sdkacctest.RandomWithPrefix("tf-acc-flows")
	appPeers, err := queries.Get(queries.AppPeers)
	if err != nil {
		t.Fatal(err)
	}
	app := "o'neil"
	wantAppPeers, err := appPeers.NamedQuery("flows", &app)
	if err != nil {
		t.Fatal(err)
	}
	testAccTest(t, testAccCheckWorkGroupDestroyed(t, workgroup), []resource.TestStep{
		{
			Config: testAccConnectionQueriesConfig(workgroup, `
  table_name                     = "flows"
  app                            = "o'neil"
  bytes_scanned_cutoff_per_query = 10000000000
  output_location                = "s3://vpcflow-athena-results/queries/"
  tags                           = { team = "network" }
`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccConnectionQueriesAddress, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("queries").AtMapKey(queries.AppPeers).AtMapKey("sql"), knownvalue.StringExact(wantAppPeers)),
					plancheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("workgroup_arn"),
						knownvalue.StringExact(fmt.Sprintf("arn:aws:athena:%s:%s:workgroup/%s", acctest.Region, acctest.AccountID, workgroup))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("id"), knownvalue.StringExact(workgroup+":vpcflow:flows")),
				statecheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("queries"), knownvalue.MapSizeExact(len(queries.All()))),
				statecheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("queries").AtMapKey(queries.AppPeers).AtMapKey("sql"), knownvalue.StringExact(wantAppPeers)),
				statecheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("bytes_scanned_cutoff_per_query"), knownvalue.Int64Exact(10000000000)),
				statecheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("output_location"), knownvalue.StringExact("s3://vpcflow-athena-results/queries/")),
				statecheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("network")})),
			},
			Check: resource.ComposeTestCheckFunc(
				testAccCheckNamedQueries(t, workgroup, "flows", &app),
				func(*terraform.State) error {
					wg, err := findWorkGroup(context.Background(), testAccAthenaClient(t), workgroup)
					if err != nil {
						return err
					}
					if aws.ToInt64(wg.Configuration.BytesScannedCutoffPerQuery) != 10000000000 {
						return fmt.Errorf("bytes scanned cutoff %d", aws.ToInt64(wg.Configuration.BytesScannedCutoffPerQuery))
					}
					return nil
				},
			),
		},
		{
			ResourceName:            testAccConnectionQueriesAddress,
			ImportState:             true,
			ImportStateId:           workgroup + ":vpcflow:flows",
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"app"}, // written into one query's text, not read back
		},
	})
}

// TestAccConnectionQueries_update checks that a change of the text (here
// the app; a provider upgrade alike) and of the workgroup's limit plan an
// update in place. Moto has no UpdateNamedQuery or UpdateWorkGroup, so the
// plans are not applied.
func TestAccConnectionQueries_update(t *testing.T) {
	workgroup := sdkacctest.RandomWithPrefix("tf-acc-flows")
	testAccTest(t, testAccCheckWorkGroupDestroyed(t, workgroup), []resource.TestStep{
		{
			Config: testAccConnectionQueriesConfig(workgroup, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("queries").AtMapKey(queries.AppPeers).AtMapKey("sql"),
					knownvalue.StringRegexp(regexp.MustCompile(`client_app = \{\{app\}\}`))),
			},
			Check: testAccCheckNamedQueries(t, workgroup, "vpcflow_connections", nil),
		},
		{
			Config:             testAccConnectionQueriesConfig(workgroup, `  app = "web"`),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccConnectionQueriesAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccConnectionQueriesAddress, tfjsonpath.New("queries").AtMapKey(queries.AppPeers).AtMapKey("sql"),
						knownvalue.StringRegexp(regexp.MustCompile(`client_app = 'web'`))),
				},
			},
		},
		{
			Config:             testAccConnectionQueriesConfig(workgroup, `  bytes_scanned_cutoff_per_query = 50000000`),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccConnectionQueriesAddress, plancheck.ResourceActionUpdate)},
			},
		},
		{
			Config:             strings.Replace(testAccConnectionQueriesConfig(workgroup, ""), `"vpcflow"`, `"other"`, 1),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccConnectionQueriesAddress, plancheck.ResourceActionDestroyBeforeCreate)},
			},
		},
	})
}

func TestAccConnectionQueries_disappears(t *testing.T) {
	workgroup := sdkacctest.RandomWithPrefix("tf-acc-flows")
	config := testAccConnectionQueriesConfig(workgroup, "")
	testAccDisappearsTest(t, testAccCheckWorkGroupDestroyed(t, workgroup), newConnectionQueriesResource, testAccConnectionQueriesAddress, config)
}

// TestAccConnectionQueries_validation checks the plan-time refusals.
func TestAccConnectionQueries_validation(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
resource "vpcflow_connection_queries" "test" {
  database         = "vpcflow"
  create_workgroup = true
}
`,
				ExpectError: regexp.MustCompile(`Every account has the workgroup primary`),
			},
			{
				Config: `
resource "vpcflow_connection_queries" "test" {
  database                       = "vpcflow"
  bytes_scanned_cutoff_per_query = 10000000000
}
`,
				ExpectError: regexp.MustCompile(`(?s)bytes_scanned_cutoff_per_query sets the workgroup.*create_workgroup = true`),
			},
			{
				Config: `
resource "vpcflow_connection_queries" "test" {
  database   = "vpcflow"
  table_name = "Flows-1"
}
`,
				ExpectError: regexp.MustCompile(`lower-case letters`),
			},
		},
	})
}

// TestNamedQueryDescriptions checks that every description fits Athena's
// limit as it is, so none is cut.
func TestNamedQueryDescriptions(t *testing.T) {
	for _, q := range queries.All() {
		if len(q.Description) > maxNamedQueryDescription {
			t.Errorf("%s: description of %d bytes, Athena takes %d", q.Name, len(q.Description), maxNamedQueryDescription)
		}
	}
	if got := truncate(strings.Repeat("é", 600), maxNamedQueryDescription); len(got) > maxNamedQueryDescription || !strings.HasSuffix(got, "...") {
		t.Errorf("truncate: %d bytes", len(got))
	}
}
