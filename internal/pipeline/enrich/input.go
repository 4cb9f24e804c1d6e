package enrich

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/flowrecord"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/subscription"
)

// ReadLines enriches flow log lines as stored in S3 or printed by the AWS
// CLI: a header line first sets the format, otherwise Options.Format
// applies. Lines that do not parse are rejected. It returns an error only
// when reading or the output fails.
func (e *Enricher) ReadLines(r io.Reader) error {
	rd := flowrecord.NewReader(r, e.parser.Format())
	for rd.Next() {
		if err := rd.LineErr(); err != nil {
			var le *flowrecord.LineError
			if errors.As(err, &le) {
				err = le.Err
			}
			e.rejected(rd.LineNumber(), 0, err)
			continue
		}
		if err := e.Record(rd.Record()); err != nil {
			return err
		}
	}
	e.stats.Headers += rd.Stats().Headers
	if err := rd.Err(); err != nil {
		return fmt.Errorf("reading flow log lines: %w", err)
	}
	return nil
}

// Payload enriches the log events of one CloudWatch Logs subscription
// payload: gzip as Kinesis delivers it. line numbers the payload in
// rejections. A payload that cannot be decoded is rejected whole; events
// whose message does not parse are rejected one by one.
func (e *Enricher) Payload(line int, gz []byte) error {
	return e.payload(line, func(fn func(subscription.Event) error) error {
		_, err := e.decoder().Decode(gz, fn)
		return err
	})
}

// PayloadBase64 enriches a payload given as the base64 text of the
// awslogs.data field of a Lambda CloudWatch Logs event; see Payload.
func (e *Enricher) PayloadBase64(line int, data string) error {
	return e.payload(line, func(fn func(subscription.Event) error) error {
		_, err := e.decoder().DecodeBase64(data, fn)
		return err
	})
}

func (e *Enricher) decoder() *subscription.Decoder {
	if e.dec == nil {
		e.dec = subscription.NewDecoder()
	}
	return e.dec
}

// outputError marks an error of the output, which stops decoding, as
// opposed to an error of the payload.
type outputError struct{ err error }

func (o outputError) Error() string { return o.err.Error() }

func (e *Enricher) payload(line int, decode func(func(subscription.Event) error) error) error {
	if e.closed {
		return ErrClosed
	}
	if e.err != nil {
		return e.err
	}
	event := 0
	err := decode(func(ev subscription.Event) error {
		event++
		if err := e.parser.Parse(ev.Message, &e.rec); err != nil {
			e.rejected(line, event, err)
			return nil
		}
		if err := e.Record(&e.rec); err != nil {
			return outputError{err}
		}
		return nil
	})
	var oe outputError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &oe):
		return oe.err
	}
	// The decoder validates the whole message before it delivers any
	// event, so nothing of a payload that fails was counted yet.
	e.rejected(line, 0, err)
	return nil
}

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// MaxPayloadLine bounds a line of ReadSubscription input.
const MaxPayloadLine = 64 << 20

// ReadSubscription enriches subscription payloads read from r: either a
// single gzip payload (as Kinesis delivers it), or lines that each hold a
// payload as base64 text (the awslogs.data field) or as a whole Lambda
// CloudWatch Logs event, {"awslogs":{"data":"..."}}. Blank lines are
// skipped.
func (e *Enricher) ReadSubscription(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	if head, _ := br.Peek(2); bytes.Equal(head, gzipMagic) {
		gz, err := io.ReadAll(br)
		if err != nil {
			return fmt.Errorf("reading subscription payload: %w", err)
		}
		return e.Payload(1, gz)
	}
	var buf []byte
	for line := 1; ; line++ {
		b, tooLong, err := readLine(br, &buf)
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading subscription payloads: %w", err)
		}
		switch text := bytes.TrimSpace(b); {
		case tooLong:
			e.rejected(line, 0, fmt.Errorf("line longer than %d bytes", MaxPayloadLine))
		case len(text) > 0:
			if perr := e.payloadLine(line, text); perr != nil {
				return perr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine returns the next line with its line ending; past MaxPayloadLine
// bytes the rest of the line is skipped and tooLong set. err is io.EOF for
// the last line.
func readLine(br *bufio.Reader, buf *[]byte) (line []byte, tooLong bool, err error) {
	b, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return b, false, err
	}
	long := append((*buf)[:0], b...)
	for err == bufio.ErrBufferFull {
		b, err = br.ReadSlice('\n')
		if len(long)+len(b) > MaxPayloadLine {
			tooLong = true
			long = long[:0]
			continue
		}
		if !tooLong {
			long = append(long, b...)
		}
	}
	*buf = long
	return long, tooLong, err
}

// lambdaEvent is the part of a Lambda CloudWatch Logs event that matters.
type lambdaEvent struct {
	AWSLogs struct {
		Data string `json:"data"`
	} `json:"awslogs"`
}

func (e *Enricher) payloadLine(line int, text []byte) error {
	if text[0] != '{' {
		return e.PayloadBase64(line, string(text))
	}
	var ev lambdaEvent
	if err := json.Unmarshal(text, &ev); err != nil {
		e.rejected(line, 0, fmt.Errorf("decoding Lambda CloudWatch Logs event: %w", err))
		return nil
	}
	if ev.AWSLogs.Data == "" {
		e.rejected(line, 0, errors.New("no awslogs.data in the Lambda CloudWatch Logs event"))
		return nil
	}
	return e.PayloadBase64(line, ev.AWSLogs.Data)
}
