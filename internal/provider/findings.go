package provider

import (
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/flowlogs/delivery"
)

// sortFindings puts errors first, then orders by attribute and code, keeping
// the checker's order among equals.
func sortFindings(f []delivery.Finding) {
	sort.SliceStable(f, func(i, j int) bool {
		if (f[i].Severity == delivery.SeverityError) != (f[j].Severity == delivery.SeverityError) {
			return f[i].Severity == delivery.SeverityError
		}
		if f[i].Attribute != f[j].Attribute {
			return f[i].Attribute < f[j].Attribute
		}
		return f[i].Code < f[j].Code
	})
}

// findingsValue converts findings to the Terraform list of objects.
func findingsValue(findings []delivery.Finding) (types.List, diag.Diagnostics) {
	elemType := types.ObjectType{AttrTypes: findingAttrTypes}
	values := make([]attr.Value, 0, len(findings))
	var diags diag.Diagnostics
	for _, f := range findings {
		obj, d := types.ObjectValue(findingAttrTypes, map[string]attr.Value{
			"code":      types.StringValue(f.Code),
			"severity":  types.StringValue(f.Severity),
			"message":   types.StringValue(f.Message),
			"fix":       types.StringValue(f.Fix),
			"attribute": types.StringValue(f.Attribute),
		})
		diags.Append(d...)
		values = append(values, obj)
	}
	list, d := types.ListValue(elemType, values)
	diags.Append(d...)
	return list, diags
}

// findingText renders a finding as diagnostic detail: the message, then the fix.
func findingText(f delivery.Finding) string {
	text := f.Message
	if f.Fix != "" {
		text += "\n\nFix: " + f.Fix
	}
	return text + "\n\n(" + f.Code + ")"
}
