package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/queries/sqlstring"
)

var _ function.Function = &sqlStringFunction{}

func newSQLStringFunction() function.Function { return &sqlStringFunction{} }

type sqlStringFunction struct{}

func (f *sqlStringFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "sql_string"
}

func (f *sqlStringFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Write a value as a SQL string for Athena",
		MarkdownDescription: "Returns `value` as a SQL string expression that Athena (Trino) and DuckDB both read back as exactly " +
			"`value`, whatever characters it holds, so that a value put into a query cannot end its string, start a comment " +
			"or run a statement of its own. It is what the `enrichment` module's `athena_queries` use for `athena_query_app`, " +
			"and what the provider's tests run the queries with.\n\n" +
			"Each character is written as itself between single quotes, a quote as two quotes (`O'Brien` gives `'O''Brien'`; " +
			"a backslash, `--` or `/*` is text inside quotes). Control characters (such as NUL, tab, line feed, carriage " +
			"return), format characters (such as bidirectional overrides and zero-width characters) and the Unicode line and " +
			"paragraph separators are written as `chr(N)`, N being the code point, joined with `concat`: `\"x\\nDROP\"` gives " +
			"`concat('x', chr(10), 'DROP')`. A value of more than 254 such pieces (Trino's `concat` takes 254 arguments at " +
			"most) is a `concat` of `concat`s. The result is one expression that stands wherever a string expression can " +
			"(`WHERE app = ...`).",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "value",
				MarkdownDescription: "The text to write as a SQL string; any string Terraform holds.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *sqlStringFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var value string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &value))
	if resp.Error != nil {
		return
	}
	// Terraform strings are Unicode, so the error (text that is not UTF-8)
	// cannot happen from a configuration; it is passed on all the same.
	literal, err := sqlstring.Literal(value)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Result.Set(ctx, literal))
}
