package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich/athena"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

const testAccConnectionsTableAddress = "vpcflow_connections_table.test"

func testAccGlueDatabaseName() string {
	return strings.ReplaceAll(sdkacctest.RandomWithPrefix("tf_acc_flows"), "-", "_")
}

func testAccGlueClient(t *testing.T) *glue.Client { return glue.NewFromConfig(acctest.AWSConfig(t)) }

func testAccConnectionsTableConfig(database, body string) string {
	return fmt.Sprintf(`
resource "vpcflow_connections_table" "test" {
  database_name = %q
  bucket        = "vpcflow-connections-123456789012"
%s
}
`, database, body)
}

// testAccCheckGlueTable checks the table in Glue: columns of connrows.Row,
// partition projection over dt and hour, the SerDe of the format.
func testAccCheckGlueTable(t *testing.T, database, table, format, location, start string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		g, err := findGlueTable(context.Background(), testAccGlueClient(t), "", database, table)
		if err != nil {
			return err
		}
		want, err := athena.Define(table, format, location, start)
		if err != nil {
			return err
		}
		if got := tableOf(g, want); got.Digest() != want.Digest() {
			return fmt.Errorf("table %s.%s: %+v\nwant %+v", database, table, got, want)
		}
		for k, v := range map[string]string{
			"projection.enabled":        "true",
			"projection.dt.type":        "date",
			"projection.dt.range":       start + ",NOW",
			"projection.hour.range":     "0,23",
			"storage.location.template": location + "dt=${dt}/hour=${hour}/",
		} {
			if g.Parameters[k] != v {
				return fmt.Errorf("parameter %s = %q, want %q", k, g.Parameters[k], v)
			}
		}
		if n := len(g.StorageDescriptor.Columns); n != len(athena.Columns()) {
			return fmt.Errorf("%d columns, want %d", n, len(athena.Columns()))
		}
		if len(g.PartitionKeys) != 2 || aws.ToString(g.PartitionKeys[0].Name) != "dt" || aws.ToString(g.PartitionKeys[1].Name) != "hour" {
			return fmt.Errorf("partition keys %+v", g.PartitionKeys)
		}
		return nil
	}
}

func testAccCheckConnectionsTableDestroyed(t *testing.T, database string, databaseGone bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c := testAccGlueClient(t)
		_, err := findGlueTable(context.Background(), c, "", database, athena.DefaultTableName)
		if err == nil {
			return fmt.Errorf("table %s.%s still exists", database, athena.DefaultTableName)
		}
		_, err = c.GetDatabase(context.Background(), &glue.GetDatabaseInput{Name: aws.String(database)})
		var nf *gluetypes.EntityNotFoundException
		if gone := errors.As(err, &nf); gone != databaseGone {
			return fmt.Errorf("database %s gone: %v, want %v (%v)", database, gone, databaseGone, err)
		}
		return nil
	}
}

func TestAccConnectionsTable_basic(t *testing.T) {
	database := testAccGlueDatabaseName()
	testAccTest(t, testAccCheckConnectionsTableDestroyed(t, database, true), []resource.TestStep{
		{
			Config: testAccConnectionsTableConfig(database, `  prefix = "connections/"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccConnectionsTableAddress, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("arn"),
						knownvalue.StringExact(fmt.Sprintf("arn:aws:glue:%s:%s:table/%s/vpcflow_connections", acctest.Region, acctest.AccountID, database))),
					plancheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("ddl"),
						knownvalue.StringRegexp(regexp.MustCompile(`(?s)^CREATE EXTERNAL TABLE IF NOT EXISTS vpcflow_connections \(.*LOCATION 's3://vpcflow-connections-123456789012/connections/'`))),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("id"), knownvalue.StringExact(acctest.AccountID+":"+database+":vpcflow_connections")),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("format"), knownvalue.StringExact("ndjson")),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("projection_start"), knownvalue.StringExact(athena.DefaultProjectionStart)),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("location"), knownvalue.StringExact("s3://vpcflow-connections-123456789012/connections")),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("schema_version"), knownvalue.StringExact(athena.SchemaVersion(athena.Columns()))),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("columns").AtSliceIndex(0),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact("protocol"), "type": knownvalue.StringExact("string")})),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("columns"), knownvalue.ListSizeExact(len(athena.Columns()))),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("parameters").AtMapKey("projection.enabled"), knownvalue.StringExact("true")),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("parameters").AtMapKey("storage.location.template"),
					knownvalue.StringExact("s3://vpcflow-connections-123456789012/connections/dt=${dt}/hour=${hour}/")),
			},
			Check: testAccCheckGlueTable(t, database, "vpcflow_connections", "ndjson", "s3://vpcflow-connections-123456789012/connections/", athena.DefaultProjectionStart),
		},
		testAccImportStep(testAccConnectionsTableAddress, database+":vpcflow_connections"),
	})
}

func TestAccConnectionsTable_update(t *testing.T) {
	database := testAccGlueDatabaseName()
	update := testAccPlanAction(testAccConnectionsTableAddress, plancheck.ResourceActionUpdate)
	testAccTest(t, testAccCheckConnectionsTableDestroyed(t, database, true), []resource.TestStep{
		{
			Config: testAccConnectionsTableConfig(database, ""),
			Check:  testAccCheckGlueTable(t, database, "vpcflow_connections", "ndjson", "s3://vpcflow-connections-123456789012/", athena.DefaultProjectionStart),
		},
		{
			Config:           testAccConnectionsTableConfig(database, "  format = \"parquet\"\n  prefix = \"parquet/\"\n  projection_start = \"2025-03-01\""),
			ConfigPlanChecks: update,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("format"), knownvalue.StringExact("parquet")),
				statecheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("ddl"), knownvalue.StringRegexp(regexp.MustCompile(`STORED AS PARQUET`))),
			},
			Check: testAccCheckGlueTable(t, database, "vpcflow_connections", "parquet", "s3://vpcflow-connections-123456789012/parquet/", "2025-03-01"),
		},
		testAccImportStep(testAccConnectionsTableAddress, ""),
	})
}

// TestAccConnectionsTable_schemaUpgrade plays a table written by a provider
// whose enricher had fewer columns, and one edited out of band: the plan
// updates it, and the apply writes this provider's definition back.
func TestAccConnectionsTable_schemaUpgrade(t *testing.T) {
	database := testAccGlueDatabaseName()
	config := testAccConnectionsTableConfig(database, "")
	older := func(edit func(*gluetypes.TableInput)) func() {
		return func() {
			def, err := athena.Define("vpcflow_connections", "ndjson", "s3://vpcflow-connections-123456789012/", athena.DefaultProjectionStart)
			if err != nil {
				t.Fatal(err)
			}
			in := tableInput(def)
			edit(in)
			if _, err := testAccGlueClient(t).UpdateTable(context.Background(), &glue.UpdateTableInput{DatabaseName: aws.String(database), TableInput: in}); err != nil {
				t.Fatal(err)
			}
		}
	}
	upgrade := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(testAccConnectionsTableAddress, plancheck.ResourceActionUpdate),
			plancheck.ExpectKnownValue(testAccConnectionsTableAddress, tfjsonpath.New("schema_version"), knownvalue.StringExact(athena.SchemaVersion(athena.Columns()))),
		},
	}
	check := testAccCheckGlueTable(t, database, "vpcflow_connections", "ndjson", "s3://vpcflow-connections-123456789012/", athena.DefaultProjectionStart)
	testAccTest(t, testAccCheckConnectionsTableDestroyed(t, database, true), []resource.TestStep{
		{Config: config, Check: check},
		{
			// An older enricher: the last column missing, another type.
			PreConfig: older(func(in *gluetypes.TableInput) {
				cols := in.StorageDescriptor.Columns
				in.StorageDescriptor.Columns = cols[:len(cols)-1]
				in.StorageDescriptor.Columns[0].Type = aws.String("varchar(16)")
			}),
			Config:           config,
			ConfigPlanChecks: upgrade,
			Check:            check,
		},
		{
			// Projection turned off by hand.
			PreConfig: older(func(in *gluetypes.TableInput) {
				in.Parameters["projection.enabled"] = "false"
			}),
			Config:           config,
			ConfigPlanChecks: testAccPlanAction(testAccConnectionsTableAddress, plancheck.ResourceActionUpdate),
			Check:            check,
		},
		{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
	})
}

func TestAccConnectionsTable_disappears(t *testing.T) {
	database := testAccGlueDatabaseName()
	config := testAccConnectionsTableConfig(database, "")
	read := &readWarnings{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             testAccCheckConnectionsTableDestroyed(t, database, true),
		Steps: append(testAccDisappearsSteps(t, read, newConnectionsTableResource, testAccConnectionsTableAddress, config, conns.Settings{}),
			// Out of band, the table alone: the database the Delete removes too is left.
			testAccRemovedStep(testAccConnectionsTableAddress, config, func(*terraform.State) error {
				_, err := testAccGlueClient(t).DeleteTable(context.Background(), &glue.DeleteTableInput{DatabaseName: aws.String(database), Name: aws.String("vpcflow_connections")})
				return err
			})),
	})
}

// TestAccConnectionsTable_existingDatabase puts the table in a database
// made elsewhere, which destroy leaves, and refuses tags there.
func TestAccConnectionsTable_existingDatabase(t *testing.T) {
	database := testAccGlueDatabaseName()
	if _, err := testAccGlueClient(t).CreateDatabase(context.Background(), &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String(database)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = testAccGlueClient(t).DeleteDatabase(context.Background(), &glue.DeleteDatabaseInput{Name: aws.String(database)})
	})
	testAccTest(t, testAccCheckConnectionsTableDestroyed(t, database, false), []resource.TestStep{
		{
			Config:      testAccConnectionsTableConfig(database, ""),
			ExpectError: regexp.MustCompile(`(?s)The Glue database ` + database + ` exists already.*create_database = false`),
		},
		{
			Config:      testAccConnectionsTableConfig(database, "  create_database = false\n  tags = { team = \"network\" }"),
			ExpectError: regexp.MustCompile(`Tags of a database the resource does not create`),
		},
		{
			Config: testAccConnectionsTableConfig(database, "  create_database = false\n  table_name = \"flows\""),
			Check:  testAccCheckGlueTable(t, database, "flows", "ndjson", "s3://vpcflow-connections-123456789012/", athena.DefaultProjectionStart),
		},
	})
}

func TestAccConnectionsTable_tags(t *testing.T) {
	database := testAccGlueDatabaseName()
	config := func(tags string) string { return testAccConnectionsTableConfig(database, tags) }
	testAccTest(t, testAccCheckConnectionsTableDestroyed(t, database, true), []resource.TestStep{
		{
			Config: config(`  tags = { team = "network", env = "test" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				testAccStateTags(testAccConnectionsTableAddress, "tags", map[string]string{"team": "network", "env": "test"}),
			},
		},
		{
			Config:           config(`  tags = { team = "platform" }`),
			ConfigPlanChecks: testAccPlanAction(testAccConnectionsTableAddress, plancheck.ResourceActionUpdate),
			Check: func(*terraform.State) error {
				out, err := testAccGlueClient(t).GetTags(context.Background(), &glue.GetTagsInput{
					ResourceArn: aws.String(fmt.Sprintf("arn:aws:glue:%s:%s:database/%s", acctest.Region, acctest.AccountID, database)),
				})
				if err != nil {
					return err
				}
				if len(out.Tags) != 1 || out.Tags["team"] != "platform" {
					return fmt.Errorf("database tags %v", out.Tags)
				}
				return nil
			},
		},
	})
}
