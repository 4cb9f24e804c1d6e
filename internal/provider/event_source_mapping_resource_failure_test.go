package provider

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// planWarnings records the warnings the provider returned from every plan
// of a test (terraform-plugin-testing checks errors, not warnings), by
// resource type and attribute.
type planWarnings struct {
	mu   sync.Mutex
	seen []recordedWarning
}

type recordedWarning struct {
	typeName, summary, detail string
	attribute                 *tftypes.AttributePath
}

// factories serve the provider, recording the warnings of PlanResourceChange.
func (w *planWarnings) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"vpcflow": func() (tfprotov6.ProviderServer, error) {
			s, err := providerserver.NewProtocol6WithError(New("test")())()
			return &warningRecordingServer{ProviderServer: s, plan: w.add}, err
		},
	}
}

func (w *planWarnings) add(typeName string, d *tfprotov6.Diagnostic) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, recordedWarning{typeName: typeName, summary: d.Summary, detail: d.Detail, attribute: d.Attribute})
}

// reset forgets what was recorded, before a step whose plans are checked.
func (w *planWarnings) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = nil
}

// on returns the warnings of a resource type on a top-level attribute.
func (w *planWarnings) on(typeName, attribute string) []recordedWarning {
	w.mu.Lock()
	defer w.mu.Unlock()
	want := tftypes.NewAttributePath().WithAttributeName(attribute)
	var out []recordedWarning
	for _, r := range w.seen {
		if r.typeName == typeName && r.attribute.Equal(want) {
			out = append(out, r)
		}
	}
	return out
}

// check fails unless every plan of the step warned on the attribute, with
// a detail that has each fragment (want true), or none warned (want false).
func (w *planWarnings) check(typeName, attribute string, want bool, fragments ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got := w.on(typeName, attribute)
		switch {
		case !want && len(got) > 0:
			return fmt.Errorf("%s warned on %s: %s: %s", typeName, attribute, got[0].summary, got[0].detail)
		case want && len(got) == 0:
			return fmt.Errorf("%s did not warn on %s", typeName, attribute)
		}
		for _, r := range got {
			for _, f := range fragments {
				if !strings.Contains(r.summary+"\n"+r.detail, f) {
					return fmt.Errorf("the warning on %s of %s does not say %q:\n%s\n%s", attribute, typeName, f, r.summary, r.detail)
				}
			}
		}
		return nil
	}
}

// TestAccEventSourceMapping_failureDestination: without an on-failure
// destination the plan warns, on on_failure_destination_arn, that a batch
// failing all its retries is dropped without a trace, and how to keep it;
// with a queue the warning is gone and Lambda has the destination.
func TestAccEventSourceMapping_failureDestination(t *testing.T) {
	testAccUseEnricherCode(t, "v1")
	name := testAccEnricherName()
	queue, config := testAccMappingWithFailureQueue(name)
	warnings := &planWarnings{}
	const typeName, attr = "vpcflow_event_source_mapping", "on_failure_destination_arn"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: warnings.factories(),
		CheckDestroy:             testAccCheckMappingDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: config(""),
				Check: warnings.check(typeName, attr, true, "dropped without a trace", "retries the batch 10 times (maximum_retry_attempts = 10)",
					"age out of the stream's retention period", "SQS queue ARN", "sqs:SendMessage"),
			},
			{
				PreConfig: warnings.reset,
				Config:    config("  maximum_retry_attempts = -1\n  maximum_record_age_in_seconds = 3600"),
				Check:     warnings.check(typeName, attr, true, "until its records expire (maximum_retry_attempts = -1)", "older than 3600 seconds"),
			},
			{
				PreConfig: warnings.reset,
				Config:    config(fmt.Sprintf("  on_failure_destination_arn = %q", queue)),
				Check: resource.ComposeTestCheckFunc(
					warnings.check(typeName, attr, false),
					testAccCheckMapping(t, name, func(m *lambda.GetEventSourceMappingOutput) error {
						if m.DestinationConfig == nil || m.DestinationConfig.OnFailure == nil || aws.ToString(m.DestinationConfig.OnFailure.Destination) != queue {
							return fmt.Errorf("mapping's destination config %+v, want on failure %s", m.DestinationConfig, queue)
						}
						return nil
					}),
				),
			},
		},
	})
}
