package subscription

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aws/aws-lambda-go/events"
)

// DecodeNaive decodes a gzip subscription payload the straightforward way:
// the standard library's gzip and encoding/json into the aws-lambda-go
// types. It is the reference Decoder is tested and measured against.
func DecodeNaive(gz []byte) (events.CloudwatchLogsData, error) {
	var data events.CloudwatchLogsData
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return data, fmt.Errorf("decompressing subscription payload: %w", err)
	}
	doc, err := io.ReadAll(zr)
	if err != nil {
		return data, fmt.Errorf("decompressing subscription payload: %w", err)
	}
	if err := json.Unmarshal(doc, &data); err != nil {
		return data, fmt.Errorf("subscription payload: %w", err)
	}
	switch data.MessageType {
	case "DATA_MESSAGE", "CONTROL_MESSAGE":
	default:
		return data, fmt.Errorf("subscription payload: %w %q", ErrMessageType, data.MessageType)
	}
	return data, nil
}
