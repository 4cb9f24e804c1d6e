package provider

// Acceptance test helpers shared by the resources' tests: destroyed checks,
// tag checks in state and in AWS, import steps, the provider block, and
// the `_disappears` check that deletes an object through the resource's own
// Delete, as terraform-provider-aws's acctest.CheckFrameworkResourceDisappears does.

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/conns"
)

// testAccProviderBlock is the provider configuration of the tests that use a
// region of their own: no retries, so an error moto returns fails at once.
func testAccProviderBlock(region string) string {
	return fmt.Sprintf(`provider "vpcflow" {
  region      = %q
  max_retries = 0
}
`, region)
}

// testAccImportStep imports address (by id, or by the ID in state when id is
// "") and compares every attribute but ignore with the state.
func testAccImportStep(address, id string, ignore ...string) resource.TestStep {
	return resource.TestStep{
		ResourceName:            address,
		ImportState:             true,
		ImportStateId:           id,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: ignore,
	}
}

// testAccPlanAction expects the plan of a step to take action on address.
func testAccPlanAction(address string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, action)},
	}
}

// testAccPlanCreateKnownARN expects the plan to create address with its ARN
// (and what more checks) known at plan time, so that other resources of the
// same run can be checked against it.
func testAccPlanCreateKnownARN(address, arn string, more ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply: append([]plancheck.PlanCheck{
			plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate),
			plancheck.ExpectKnownValue(address, tfjsonpath.New("arn"), knownvalue.StringExact(arn)),
		}, more...),
	}
}

// testAccNamedConfig is a resource of resourceType called "test" with the
// given name and the attribute lines of body.
func testAccNamedConfig(resourceType, name, body string) string {
	return fmt.Sprintf(`
resource %q "test" {
  name = %q
%s
}
`, resourceType, name, body)
}

// testAccTest runs steps sequentially with the package's providers;
// destroyed is the test's CheckDestroy.
func testAccTest(t *testing.T, destroyed resource.TestCheckFunc, steps []resource.TestStep) {
	t.Helper()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             destroyed,
		Steps:                    steps,
	})
}

// existsFunc reports whether the AWS object of a resource's state is still
// there; id and attrs are the instance's ID and flat attributes.
type existsFunc func(ctx context.Context, id string, attrs map[string]string) (bool, error)

// testAccCheckDestroyed is a CheckDestroy: no object of resourceType in the
// state may be left in AWS, and an error other than "not found" fails too.
func testAccCheckDestroyed(resourceType string, exists existsFunc) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != resourceType {
				continue
			}
			found, err := exists(context.Background(), rs.Primary.ID, rs.Primary.Attributes)
			if err != nil {
				return fmt.Errorf("%s %s after destroy: %w", resourceType, rs.Primary.ID, err)
			}
			if found {
				return fmt.Errorf("%s %s still exists after destroy", resourceType, rs.Primary.ID)
			}
		}
		return nil
	}
}

// notFound turns a read's error into the answer of an existsFunc.
func notFound(err error, isNotFound func(error) bool) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case isNotFound(err):
		return false, nil
	default:
		return false, err
	}
}

// errorCode matches the AWS error codes of a "not found" answer.
func errorCode(codes ...string) func(error) bool {
	return func(err error) bool { return hasErrorCode(err, codes...) }
}

// testAccCheckTags compares the tags AWS holds for what, read by list, with want.
func testAccCheckTags(what string, want map[string]string, list func(context.Context) (map[string]string, error)) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := list(context.Background())
		if err != nil {
			return fmt.Errorf("reading the tags of %s: %w", what, err)
		}
		return sameTags(what, got, want)
	}
}

// sameTags compares two tag sets, a nil set the same as an empty one.
func sameTags(what string, got, want map[string]string) error {
	if !maps.Equal(got, want) {
		return fmt.Errorf("tags of %s = %v, want %v", what, got, want)
	}
	return nil
}

// tagMap collects AWS tag structs into a map.
func tagMap[T any](tags []T, kv func(T) (string, string)) map[string]string {
	m := make(map[string]string, len(tags))
	for _, tag := range tags {
		k, v := kv(tag)
		m[k] = v
	}
	return m
}

// testAccStateTags checks a tag attribute (tags or tags_all) in state: want
// exactly, or null for a nil want.
func testAccStateTags(address, attribute string, want map[string]string) statecheck.StateCheck {
	if want == nil {
		return statecheck.ExpectKnownValue(address, tfjsonpath.New(attribute), knownvalue.Null())
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attribute), knownMap(want))
}

// knownMap is an exact check of a map of strings.
func knownMap(m map[string]string) knownvalue.Check {
	checks := make(map[string]knownvalue.Check, len(m))
	for k, v := range m {
		checks[k] = knownvalue.StringExact(v)
	}
	return knownvalue.MapExact(checks)
}

// testAccProviderData builds the provider data the provider's Configure
// builds, from the settings of the test's provider block; the zero
// settings resolve to the package's moto as a provider without a block does.
func testAccProviderData(t *testing.T, s conns.Settings) (*providerData, error) {
	t.Helper()
	client, err := conns.New(context.Background(), s)
	if err != nil {
		return nil, fmt.Errorf("configuring the provider: %w", err)
	}
	return newProviderData(client), nil
}

// testAccCheckResourceDisappears deletes the object of address through the
// resource's own Delete, as if Terraform destroyed it, without touching the
// state: the next refresh finds it gone. The state handed to Delete holds the
// instance's top-level string, bool and number attributes, and the lists,
// sets and maps of them (inventory_rules deletes one rule per element of
// `rules`); objects and nested blocks stay null.
func testAccCheckResourceDisappears(t *testing.T, factory func() fwresource.Resource, address string, s conns.Settings) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		ctx := context.Background()
		rs, ok := st.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s is not in the state", address)
		}
		r := factory()
		if c, ok := r.(fwresource.ResourceWithConfigure); ok {
			data, err := testAccProviderData(t, s)
			if err != nil {
				return err
			}
			var resp fwresource.ConfigureResponse
			c.Configure(ctx, fwresource.ConfigureRequest{ProviderData: data}, &resp)
			if resp.Diagnostics.HasError() {
				return fmt.Errorf("configuring %s: %v", address, resp.Diagnostics.Errors())
			}
		}
		var schemaResp fwresource.SchemaResponse
		r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
		if schemaResp.Diagnostics.HasError() {
			return fmt.Errorf("schema of %s: %v", address, schemaResp.Diagnostics.Errors())
		}
		state := tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}
		for name, attribute := range schemaResp.Schema.Attributes {
			tv, err := flatmapAttribute(attribute.GetType().TerraformType(ctx), name, rs.Primary.Attributes)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", address, name, err)
			}
			if tv.IsNull() {
				continue
			}
			v, err := attribute.GetType().ValueFromTerraform(ctx, tv)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", address, name, err)
			}
			if diags := state.SetAttribute(ctx, path.Root(name), v); diags.HasError() {
				return fmt.Errorf("%s.%s: %v", address, name, diags.Errors())
			}
		}
		resp := fwresource.DeleteResponse{State: state}
		r.Delete(ctx, fwresource.DeleteRequest{State: state}, &resp)
		if resp.Diagnostics.HasError() {
			return fmt.Errorf("deleting %s through its Delete: %v", address, resp.Diagnostics.Errors())
		}
		return nil
	}
}

// flatmapAttribute reads the top-level attribute name from the flat state:
// a primitive, or a list, set or map of primitives (the elements under
// "name.0", "name.KEY", counted by "name.#" or "name.%"). Anything else,
// and an attribute absent from the flat state, is null.
func flatmapAttribute(typ tftypes.Type, name string, attrs map[string]string) (tftypes.Value, error) {
	switch typ := typ.(type) {
	case tftypes.List, tftypes.Set:
		var elem tftypes.Type
		if l, ok := typ.(tftypes.List); ok {
			elem = l.ElementType
		} else {
			elem = typ.(tftypes.Set).ElementType
		}
		n, ok := attrs[name+".#"]
		if !ok || !isPrimitive(elem) {
			return tftypes.NewValue(typ, nil), nil
		}
		count, err := strconv.Atoi(n)
		if err != nil {
			return tftypes.Value{}, err
		}
		elems := make([]tftypes.Value, 0, count)
		for i := range count {
			v, err := flatmapValue(elem, attrs[name+"."+strconv.Itoa(i)])
			if err != nil {
				return tftypes.Value{}, err
			}
			elems = append(elems, v)
		}
		return tftypes.NewValue(typ, elems), nil
	case tftypes.Map:
		if _, ok := attrs[name+".%"]; !ok || !isPrimitive(typ.ElementType) {
			return tftypes.NewValue(typ, nil), nil
		}
		elems := map[string]tftypes.Value{}
		for k, raw := range attrs {
			key, ok := strings.CutPrefix(k, name+".")
			if !ok || key == "%" {
				continue
			}
			v, err := flatmapValue(typ.ElementType, raw)
			if err != nil {
				return tftypes.Value{}, err
			}
			elems[key] = v
		}
		return tftypes.NewValue(typ, elems), nil
	}
	raw, ok := attrs[name]
	if !ok || !isPrimitive(typ) {
		return tftypes.NewValue(typ, nil), nil
	}
	return flatmapValue(typ, raw)
}

func isPrimitive(typ tftypes.Type) bool {
	return typ.Is(tftypes.String) || typ.Is(tftypes.Bool) || typ.Is(tftypes.Number)
}

// flatmapValue converts a flat state value of a primitive type.
func flatmapValue(typ tftypes.Type, raw string) (tftypes.Value, error) {
	switch {
	case typ.Is(tftypes.Bool):
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return tftypes.Value{}, err
		}
		return tftypes.NewValue(tftypes.Bool, b), nil
	case typ.Is(tftypes.Number):
		n, _, err := big.ParseFloat(raw, 10, 512, big.ToNearestEven)
		if err != nil {
			return tftypes.Value{}, err
		}
		return tftypes.NewValue(tftypes.Number, n), nil
	default:
		return tftypes.NewValue(tftypes.String, raw), nil
	}
}

// testAccRemovedStep applies config, removes the object of address with
// remove, and expects the refresh to find it gone: the Read drops it from
// state and the next plan creates it again (or updates it, for want).
func testAccRemovedStep(address, config string, remove resource.TestCheckFunc, want ...plancheck.ResourceActionType) resource.TestStep {
	action := plancheck.ResourceActionCreate
	if len(want) > 0 {
		action = want[0]
	}
	return resource.TestStep{
		Config:             config,
		Check:              remove,
		ExpectNonEmptyPlan: true,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, action)},
		},
	}
}

// testAccDisappearsSteps are the steps of a `_disappears` test: apply, delete
// through the resource's Delete, expect the refresh to warn that the object
// is gone (read, recording the provider's Read warnings, serves the test's
// providers) and the plan to create it; then apply again, which creates it,
// with an empty plan after and reapplied checking what AWS holds.
func testAccDisappearsSteps(t *testing.T, read *readWarnings, factory func() fwresource.Resource, address, config string, s conns.Settings, reapplied ...resource.TestCheckFunc) []resource.TestStep {
	typeName, _, _ := strings.Cut(address, ".")
	return []resource.TestStep{
		testAccRemovedStep(address, config, resource.ComposeTestCheckFunc(
			read.none(typeName),
			testAccCheckResourceDisappears(t, factory, address, s),
		)),
		{
			Config:           config,
			Check:            resource.ComposeAggregateTestCheckFunc(append([]resource.TestCheckFunc{read.some(typeName)}, reapplied...)...),
			ConfigPlanChecks: testAccPlanAction(address, plancheck.ResourceActionCreate),
		},
	}
}

// testAccDisappearsTest runs the steps of a `_disappears` test in
// parallel, with the package's providers and the default settings.
func testAccDisappearsTest(t *testing.T, destroyed resource.TestCheckFunc, factory func() fwresource.Resource, address, config string, reapplied ...resource.TestCheckFunc) {
	t.Helper()
	read := &readWarnings{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: read.wrap(testAccProtoV6ProviderFactories),
		CheckDestroy:             destroyed,
		Steps:                    testAccDisappearsSteps(t, read, factory, address, config, conns.Settings{}, reapplied...),
	})
}

// readWarnings records the warnings of the provider's ReadResource by
// resource type: a Read that finds its object gone removes it from state
// with a warning, which terraform-plugin-testing does not check.
type readWarnings struct {
	mu   sync.Mutex
	seen map[string][]string
}

// wrap serves the providers of factories, recording their Read warnings.
func (w *readWarnings) wrap(factories map[string]func() (tfprotov6.ProviderServer, error)) map[string]func() (tfprotov6.ProviderServer, error) {
	out := make(map[string]func() (tfprotov6.ProviderServer, error), len(factories))
	for name, factory := range factories {
		out[name] = func() (tfprotov6.ProviderServer, error) {
			s, err := factory()
			return &warningRecordingServer{ProviderServer: s, read: w.add}, err
		}
	}
	return out
}

func (w *readWarnings) add(typeName string, d *tfprotov6.Diagnostic) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen == nil {
		w.seen = map[string][]string{}
	}
	w.seen[typeName] = append(w.seen[typeName], d.Summary+": "+d.Detail)
}

func (w *readWarnings) of(typeName string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.seen[typeName]...)
}

// none fails if a Read of typeName warned (before the object disappears).
func (w *readWarnings) none(typeName string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := w.of(typeName); len(got) > 0 {
			return fmt.Errorf("reading %s warned before it disappeared: %s", typeName, got[0])
		}
		return nil
	}
}

// some fails unless a Read of typeName warned (the refresh that found it gone).
func (w *readWarnings) some(typeName string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if len(w.of(typeName)) == 0 {
			return fmt.Errorf("the refresh that found %s gone gave no warning", typeName)
		}
		return nil
	}
}

// warningRecordingServer serves a provider and hands the warnings of its
// plans and reads, with the resource type, to the hooks that are set.
type warningRecordingServer struct {
	tfprotov6.ProviderServer
	plan, read func(typeName string, d *tfprotov6.Diagnostic)
}

func (s *warningRecordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.record(s.plan, req.TypeName, resp.Diagnostics)
	}
	return resp, err
}

func (s *warningRecordingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.record(s.read, req.TypeName, resp.Diagnostics)
	}
	return resp, err
}

func (s *warningRecordingServer) record(hook func(string, *tfprotov6.Diagnostic), typeName string, diags []*tfprotov6.Diagnostic) {
	if hook == nil {
		return
	}
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			hook(typeName, d)
		}
	}
}

// sharedEnricherCode is the stand-in deployment package of the parallel
// tests: set once, after every sequential test has restored its own, and
// never swapped while parallel tests deploy functions.
var sharedEnricherCode sync.Once

// testAccParallelWithEnricherCode marks a test parallel and deploys the "v1"
// stand-in package for the rest of the run; testAccUseEnricherCode swaps the
// package per test, which parallel tests cannot do.
func testAccParallelWithEnricherCode(t *testing.T) {
	t.Helper()
	t.Parallel()
	sharedEnricherCode.Do(func() { enricherArtifact = testAccEnricherCode(t, "v1") })
}

// testAccTagsSteps are the steps of a `_tags` test: create with two tags,
// import, replace them in place, and remove them, checking tags in state
// and, with awsTags, what AWS holds after each apply.
func testAccTagsSteps(address string, config func(tags string) string, awsTags func(want map[string]string) resource.TestCheckFunc) []resource.TestStep {
	update := testAccPlanAction(address, plancheck.ResourceActionUpdate)
	first := map[string]string{"team": "net", "env": "test"}
	second := map[string]string{"team": "security", "owner": "me"}
	return []resource.TestStep{
		{
			Config:            config(`  tags = { team = "net", env = "test" }`),
			ConfigStateChecks: []statecheck.StateCheck{testAccStateTags(address, "tags", first)},
			Check:             awsTags(first),
		},
		testAccImportStep(address, ""),
		{
			Config:            config(`  tags = { team = "security", owner = "me" }`),
			ConfigPlanChecks:  update,
			ConfigStateChecks: []statecheck.StateCheck{testAccStateTags(address, "tags", second)},
			Check:             awsTags(second),
		},
		{
			Config:            config(""),
			ConfigPlanChecks:  update,
			ConfigStateChecks: []statecheck.StateCheck{testAccStateTags(address, "tags", nil)},
			Check:             awsTags(map[string]string{}),
		},
	}
}

// testAccTagsOf is the check of the tags AWS holds for the object named
// name, as testAccTagsSteps and the tags_all cases take it.
func testAccTagsOf(t *testing.T, name string, check func(t *testing.T, name string, want map[string]string) resource.TestCheckFunc) func(want map[string]string) resource.TestCheckFunc {
	return func(want map[string]string) resource.TestCheckFunc { return check(t, name, want) }
}

// testAccRoleFixture creates an IAM role in moto with its inline policies
// (name to document) and, unless boundaryARN is "", a permissions
// boundary; the role goes when the test ends.
func testAccRoleFixture(t testing.TB, client *iam.Client, name, trust, boundaryARN string, inline map[string]string) string {
	t.Helper()
	ctx := context.Background()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if boundaryARN != "" {
		in.PermissionsBoundary = aws.String(boundaryARN)
	}
	out, err := client.CreateRole(ctx, in)
	if err != nil {
		t.Fatalf("creating role %s: %v", name, err)
	}
	t.Cleanup(func() { _ = deleteDeliveryRole(ctx, client, name) })
	for policy, doc := range inline {
		if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policy), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatalf("putting policy %s on role %s: %v", policy, name, err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

// testAccLogGroupFixture creates a log group in moto, deleted when the test ends.
func testAccLogGroupFixture(t testing.TB, client *cloudwatchlogs.Client, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		t.Fatalf("creating log group %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
	})
}
