package provider

import "regexp"

var (
	endpointPattern = regexp.MustCompile(`^https?://`)
	arnPattern      = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:`)
	accountPattern  = regexp.MustCompile(`^\d{12}$`)
	roleARNPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/`)
)
