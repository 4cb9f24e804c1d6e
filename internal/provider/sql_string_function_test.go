package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries/sqlstring"
)

// sqlStringValues are values that must come out of sql_string as the Go
// rendering writes them: the adversarial ones of the queries' DuckDB tests
// that Terraform can hold (any Unicode text).
var sqlStringValues = []string{
	"web",
	"O'Brien",
	"",
	"x\nCREATE TABLE pwned AS --",
	"'; DROP TABLE x; --",
	`\'`,
	"*/ /* --",
	"a\x00b",
	"x\r\ny\tz",
	"a\u2028b\u2029",
	"\u202eevil\u202c\ufeff",
	"\x7f\u0085\x1b",
	"${var.x} %{if true}",
	"{{app}}",
	"été 東京 🚀",
}

// hclString writes s as an HCL quoted string.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteString(`\` + string(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '$' && strings.HasPrefix(s[i:], "${"), r == '%' && strings.HasPrefix(s[i:], "%{"):
			b.WriteString(string(r) + string(r)) // $${ and %%{ are a literal ${ and %{
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestAccSQLStringFunction(t *testing.T) {
	var config strings.Builder
	var checks []statecheck.StateCheck
	for i, v := range sqlStringValues {
		want, err := sqlstring.Literal(v)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&config, "output \"v%d\" {\n  value = provider::vpcflow::sql_string(%s)\n}\n", i, hclString(v))
		checks = append(checks, statecheck.ExpectKnownOutputValue(fmt.Sprintf("v%d", i), knownvalue.StringExact(want)))
	}
	// 600 pieces: a concat of concats of at most 254 arguments.
	long, err := sqlstring.Literal(strings.Repeat("a\n", 300))
	if err != nil {
		t.Fatal(err)
	}
	config.WriteString(`output "long" {
  value = provider::vpcflow::sql_string(join("", [for i in range(300) : "a\n"]))
}
`)
	checks = append(checks, statecheck.ExpectKnownOutputValue("long", knownvalue.StringExact(long)))
	// As the enrichment module uses it.
	config.WriteString(`output "query" {
  value = replace("SELECT 1 WHERE app = {{app}}", "{{app}}", provider::vpcflow::sql_string("it's\n-- not a comment"))
}
`)
	checks = append(checks, statecheck.ExpectKnownOutputValue("query",
		knownvalue.StringExact("SELECT 1 WHERE app = concat('it''s', chr(10), '-- not a comment')")))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config.String(),
				ConfigStateChecks: checks,
			},
			{
				Config:      `output "null" { value = provider::vpcflow::sql_string(null) }`,
				ExpectError: regexp.MustCompile(`must not be null`),
			},
		},
	})
}

// TestSQLStringFunctionNotUTF8 calls the function with text that is not
// UTF-8, which Terraform never sends, to check that it fails rather than
// return a string the engines would refuse.
func TestSQLStringFunctionNotUTF8(t *testing.T) {
	f := newSQLStringFunction()
	resp := &function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	f.Run(context.Background(), function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{types.StringValue("ok\xff")})}, resp)
	if resp.Error == nil || !strings.Contains(resp.Error.Error(), "not valid UTF-8: byte 2 is 0xff") {
		t.Errorf("error %v, want one about byte 2", resp.Error)
	}
	resp = &function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	f.Run(context.Background(), function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{types.StringValue("O'Brien")})}, resp)
	if resp.Error != nil || resp.Result.Value().String() != `"'O''Brien'"` {
		t.Errorf("O'Brien: %v, %v", resp.Result.Value(), resp.Error)
	}
}
