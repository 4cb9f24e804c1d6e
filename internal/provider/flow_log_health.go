package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/health"
)

// setFlowLogHealth records AWS's delivery status in the model, with the
// explanation of a failure.
func setFlowLogHealth(m *flowLogModel, status, message, destinationType string) {
	m.DeliverLogsStatus = flowLogNullIfEmpty(status)
	m.DeliverLogsError = flowLogNullIfEmpty(message)
	m.DeliverLogsRootCause = types.StringNull()
	if cause, failing := health.Delivery(status, message, destinationType); failing {
		m.DeliverLogsRootCause = types.StringValue(cause.String())
	}
}

// warnIfFlowLogFailing adds the warning every plan shows while AWS reports
// the flow log's delivery as failing. Terraform prints it even when the plan
// has no changes; the state records the status, so a refresh-only plan
// shows the change from SUCCESS to FAILED.
func warnIfFlowLogFailing(m *flowLogModel, diags *diag.Diagnostics) {
	if m.DeliverLogsRootCause.IsNull() || m.DeliverLogsRootCause.IsUnknown() {
		return
	}
	target := ""
	if _, id, ok := m.target(); ok {
		target = " (" + id.ValueString() + ")"
	}
	diags.AddAttributeWarning(path.Root("deliver_logs_status"),
		fmt.Sprintf("Flow Log %s%s delivers nothing", m.ID.ValueString(), target),
		fmt.Sprintf("AWS reports delivery status %s for this flow log: no records reach %s.\n\n%s",
			m.DeliverLogsStatus.ValueString(), m.LogDestination.ValueString(), m.DeliverLogsRootCause.ValueString()))
}

func flowLogNullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
