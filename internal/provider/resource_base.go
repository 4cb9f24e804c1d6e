package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/iam/policysource"
)

// resourceBase is embedded in every resource: it names the resource type
// and takes the provider data in Configure. The resource reaches its AWS
// clients through data (data.client, data.inRegion), so a resource made
// with a bare composite literal and configured works as well as one made
// by its constructor.
//
// The rest of one way to write a resource is here too: regionalARN for the
// ARNs a plan knows, notFoundError from the finders (asNotFound), Read with
// readResource (warn and remove what was deleted outside Terraform), Create
// and Update ending with readBack, Delete ignoring isAWSNotFound, tags with
// updateTags (tags.go), and pollUntil where the SDK has no waiter.
type resourceBase struct {
	// typeName is the resource type without the provider's prefix,
	// e.g. "kinesis_stream".
	typeName string
	data     *providerData
}

func (b *resourceBase) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + b.typeName
}

// Configure keeps the provider data; nil (before the provider is
// configured, e.g. in validation) leaves the resource unconfigured.
func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerDataFrom(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("configuring vpcflow_"+b.typeName, err.Error())
		return
	}
	if data != nil {
		b.data = data
	}
}

// dataSourceBase is embedded in every data source: the same as
// resourceBase, with the data source's Metadata and Configure.
type dataSourceBase struct {
	typeName string
	data     *providerData
}

func (b *dataSourceBase) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + b.typeName
}

func (b *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, err := providerDataFrom(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("configuring vpcflow_"+b.typeName, err.Error())
		return
	}
	b.data = data
}

// partition returns the ARN partition of the caller, from the ARN
// sts:GetCallerIdentity returns, asked once per provider.
func (pd *providerData) partition(ctx context.Context) (string, error) {
	return pd.client.Partition(ctx)
}

// callerPartition is partition for a caller that has read the account
// (AccountID) without error: both come from the same sts:GetCallerIdentity
// answer, so it cannot fail there. Before that it may be "".
func (pd *providerData) callerPartition(ctx context.Context) string {
	partition, _ := pd.client.Partition(ctx)
	return partition
}

// regionalARN returns the ARN of a resource of the provider's account in
// this provider data's region: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
// The account and partition come from sts:GetCallerIdentity, asked once.
func (pd *providerData) regionalARN(ctx context.Context, service, resource string) (string, error) {
	account, err := pd.client.AccountID(ctx)
	if err != nil {
		return "", err
	}
	return pd.regionalARNOf(ctx, service, account, resource), nil
}

// regionalARNOf is regionalARN for a resource of a given account (read
// with AccountID before, or another account such as a Glue catalog's).
func (pd *providerData) regionalARNOf(ctx context.Context, service, account, resource string) string {
	return arn.ARN{Partition: pd.callerPartition(ctx), Service: service, Region: pd.client.Region(), AccountID: account, Resource: resource}.String()
}

// addAccountError is the diagnostic of a failed account or partition
// lookup, the same on every resource.
func addAccountError(diags *diag.Diagnostics, err error) {
	diags.AddError("reading the provider's account", err.Error())
}

// notFoundError says a resource the provider manages, or a part of it, does
// not exist. Finders return it; Read turns it into removeFromState, Delete
// into success.
type notFoundError struct {
	Kind, ID string
	Err      error
}

func (e *notFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Kind, e.ID) }
func (e *notFoundError) Unwrap() error { return e.Err }

// isNotFound reports whether err says the thing does not exist: the
// provider's notFoundError, or policysource's for the documents it reads.
func isNotFound(err error) bool {
	var nf *notFoundError
	return errors.As(err, &nf) || policysource.IsNotFound(err)
}

// notFoundCodes are the error codes by which the AWS APIs the provider calls
// say the thing asked for does not exist.
var notFoundCodes = []string{
	"ResourceNotFoundException",               // Lambda, Kinesis, DynamoDB, CloudWatch Logs, EventBridge, Athena
	"EntityNotFoundException",                 // Glue
	"NoSuchEntity",                            // IAM
	"NoSuchBucket",                            // S3
	"NoSuchConfigRuleException",               // AWS Config
	"NoSuchRemediationConfigurationException", // AWS Config
	"InvalidDocument",                         // SSM documents
	"AWS.SimpleQueueService.NonExistentQueue", // SQS (query protocol)
	"QueueDoesNotExist",                       // SQS (JSON protocol)
	errCodeFlowLogNotFound,                    // EC2
}

// isAWSNotFound reports whether err is an AWS API error saying the thing
// asked for does not exist.
func isAWSNotFound(err error) bool { return hasErrorCode(err, notFoundCodes...) }

// asNotFound returns a *notFoundError wrapping err when err is an AWS
// not-found error, err itself otherwise (nil stays nil).
func asNotFound(err error, kind, id string) error {
	if err != nil && isAWSNotFound(err) {
		return &notFoundError{Kind: kind, ID: id, Err: err}
	}
	return err
}

// removeFromState is the one way Read handles a resource deleted outside
// Terraform: a warning that says what is gone and that the next plan
// creates it again, and the resource out of the state.
func removeFromState(ctx context.Context, resp *resource.ReadResponse, summary, detail string) {
	resp.Diagnostics.AddWarning(summary, detail)
	resp.State.RemoveResource(ctx)
}

// goneDetail is the usual detail of removeFromState: "<what> no longer
// exists; removing it from the state. The next plan creates it again."
func goneDetail(what string) string {
	return what + " no longer exists; removing it from the state. The next plan creates it again."
}

// errStillWaiting is what pollUntil returns when the timeout has passed.
var errStillWaiting = errors.New("timed out")

// pollUntil calls check every interval until it reports done, returns an
// error (returned as is), or timeout has passed (errStillWaiting, which the
// caller words with what it waited for). It is for the waits the AWS SDK
// has no waiter for.
func pollUntil(ctx context.Context, timeout, interval time.Duration, check func() (done bool, err error)) error {
	deadline := time.Now().Add(timeout)
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return errStillWaiting
		}
		if err := sleepContext(ctx, interval); err != nil {
			return err
		}
	}
}

// readResource is the Read of a resource that refreshes its model with
// readInto (false: the resource does not exist): the state is refreshed, or,
// when the resource is gone, removed with the warning gone words.
func readResource[M any](ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse,
	readInto func(context.Context, *M, *diag.Diagnostics) bool, gone func(*M) (summary, detail string)) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	found := readInto(ctx, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		summary, detail := gone(&state)
		removeFromState(ctx, resp, summary, detail)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readBack ends a Create or Update: the model is read back from AWS with
// readInto and stored; a resource that cannot be read back is the error
// summary: detail.
func readBack[M any](ctx context.Context, m *M, readInto func(context.Context, *M, *diag.Diagnostics) bool,
	state *tfsdk.State, diags *diag.Diagnostics, summary, detail string) {
	if found := readInto(ctx, m, diags); !found && !diags.HasError() {
		diags.AddError(summary, detail)
	}
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, m)...)
}

// errOf keeps the error of an AWS call, for the callbacks that need no output.
func errOf[T any](_ T, err error) error { return err }

// planInputs reads what ModifyPlan works on: the plan, the configuration and
// the prior state (nil when the resource is being created). ok is false for
// a destroy plan, before Configure, and after a read error.
func planInputs[M any](ctx context.Context, data *providerData, req resource.ModifyPlanRequest, diags *diag.Diagnostics) (plan, config M, state *M, ok bool) {
	if req.Plan.Raw.IsNull() || data == nil {
		return plan, config, nil, false
	}
	diags.Append(req.Plan.Get(ctx, &plan)...)
	diags.Append(req.Config.Get(ctx, &config)...)
	if !req.State.Raw.IsNull() {
		state = new(M)
		diags.Append(req.State.Get(ctx, state)...)
	}
	return plan, config, state, !diags.HasError()
}

// accountID returns the provider's account, or says why it cannot.
func (pd *providerData) accountID(ctx context.Context, diags *diag.Diagnostics) (string, bool) {
	account, err := pd.client.AccountID(ctx)
	if err != nil {
		addAccountError(diags, err)
		return "", false
	}
	return account, true
}

// readFound reports whether the lookup that opens a readInto found the
// resource. A not-found error is false with no diagnostic (Read removes
// the resource from the state); any other error is false with the error
// "reading <what> (<id>)".
func readFound(err error, diags *diag.Diagnostics, what, id string) bool {
	if err == nil {
		return true
	}
	if !isNotFound(err) {
		diags.AddError(fmt.Sprintf("reading %s (%s)", what, id), err.Error())
	}
	return false
}

// idOrName is the name a resource whose ID is its name is looked up by:
// the ID, or the configured name before the ID is known (in Create).
func idOrName(id, name types.String) string {
	if v := id.ValueString(); v != "" {
		return v
	}
	return name.ValueString()
}

// knownStrings returns the elements of a list or set of strings; known is
// false while any element is unknown (the plan cannot be checked yet).
func knownStrings(ctx context.Context, v interface {
	ElementsAs(context.Context, any, bool) diag.Diagnostics
}, diags *diag.Diagnostics) (values []string, known bool) {
	var elems []types.String
	diags.Append(v.ElementsAs(ctx, &elems, false)...)
	for _, e := range elems {
		if e.IsUnknown() {
			return nil, false
		}
		values = append(values, e.ValueString())
	}
	return values, true
}

// modelOf reads a plan or a state into a model; ok is false after a read
// error, which is on diags.
func modelOf[M any](ctx context.Context, from interface {
	Get(context.Context, any) diag.Diagnostics
}, diags *diag.Diagnostics) (m M, ok bool) {
	diags.Append(from.Get(ctx, &m)...)
	return m, !diags.HasError()
}

// planAndState reads what Update works on: the plan and the prior state.
func planAndState[M any](ctx context.Context, req resource.UpdateRequest, diags *diag.Diagnostics) (plan, state M, ok bool) {
	diags.Append(req.Plan.Get(ctx, &plan)...)
	diags.Append(req.State.Get(ctx, &state)...)
	return plan, state, !diags.HasError()
}

// computedStable is a computed string attribute that does not change once
// the resource exists (an id, an ARN): the plan keeps the state's value.
func computedStable(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// importAs sets the attributes of an imported resource, each to its value
// (in the order of their names, so any diagnostics come in one order).
func importAs(ctx context.Context, resp *resource.ImportStateResponse, values map[string]string) {
	for _, name := range slices.Sorted(maps.Keys(values)) {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), values[name])...)
	}
}

// splitImportID splits an import ID of two parts joined by "|", such as
// LOG_GROUP_NAME|NAME (format, for the error); ok is false, with the error
// on diags, when either part is missing.
func (b *resourceBase) splitImportID(id, format string, diags *diag.Diagnostics) (first, second string, ok bool) {
	first, second, ok = strings.Cut(id, "|")
	if !ok || first == "" || second == "" {
		diags.AddError("importing vpcflow_"+b.typeName, fmt.Sprintf("ID %q is not %s", id, format))
		return "", "", false
	}
	return first, second, true
}
