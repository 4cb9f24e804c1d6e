package policy

import (
	"errors"
	"strings"
)

// ErrorKind classifies a ParseError.
type ErrorKind int

const (
	// ErrSyntax means the document is not valid JSON.
	ErrSyntax ErrorKind = iota
	// ErrStructure means an element is unknown, missing, prohibited, duplicated or of the wrong JSON type.
	ErrStructure
	// ErrVersion means the Version element is not a supported policy language version.
	ErrVersion
	// ErrEffect means the Effect element is not exactly "Allow" or "Deny".
	ErrEffect
	// ErrAction means an Action or NotAction entry is not of the form "service:Action".
	ErrAction
	// ErrResource means a Resource or NotResource entry is neither "*" nor an ARN.
	ErrResource
	// ErrPrincipal means a Principal or NotPrincipal entry is malformed.
	ErrPrincipal
	// ErrConditionOperator means a Condition uses an operator IAM does not know.
	ErrConditionOperator
	// ErrConditionValue means a Condition value cannot be read by its operator (a bad number, date, CIDR, Boolean...).
	ErrConditionValue
	// ErrDuplicateSid means two statements share a Sid.
	ErrDuplicateSid
)

var errorKindNames = [...]string{
	ErrSyntax:            "syntax",
	ErrStructure:         "structure",
	ErrVersion:           "version",
	ErrEffect:            "effect",
	ErrAction:            "action",
	ErrResource:          "resource",
	ErrPrincipal:         "principal",
	ErrConditionOperator: "condition operator",
	ErrConditionValue:    "condition value",
	ErrDuplicateSid:      "duplicate sid",
}

// String returns a short lower-case name of the kind.
func (k ErrorKind) String() string {
	if int(k) >= 0 && int(k) < len(errorKindNames) {
		return errorKindNames[k]
	}
	return "unknown"
}

// ParseError is one problem found in a policy document, located by a JSON path such as Statement[1].Effect.
type ParseError struct {
	Kind    ErrorKind
	Path    string // "" for the document as a whole
	Message string
}

// Error returns "path: message", or the message alone for document-level problems.
func (e *ParseError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// ParseErrors is every problem found in one document, in document order.
type ParseErrors []*ParseError

// Error joins the problems with "; ".
func (es ParseErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap exposes each problem to errors.Is and errors.As.
func (es ParseErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// AsParseErrors extracts the problems from an error returned by Parse; it returns nil for other errors.
func AsParseErrors(err error) ParseErrors {
	var es ParseErrors
	if errors.As(err, &es) {
		return es
	}
	var e *ParseError
	if errors.As(err, &e) {
		return ParseErrors{e}
	}
	return nil
}
