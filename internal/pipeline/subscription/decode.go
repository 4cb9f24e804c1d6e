// Package subscription decodes the payloads CloudWatch Logs delivers to
// subscription filters: base64 (Lambda) or raw (Kinesis) gzip of a JSON
// message that carries a batch of log events.
//
// Payloads are decompressed by klauspost/compress/gzip and the message is
// read by a hand-written JSON scanner (scan.go), which hands out the event
// messages without copying them. The scanner stays because it pays for
// itself end to end: on BenchmarkDecodeEndToEnd (a 1 MB payload, base64 of
// gzip JSON, to 4,500 parsed flow log records) decoding the message with
// encoding/json instead takes 4.9 times the CPU time (1.52M against 0.31M
// records/cpu-s; 4.3ms against 14.9ms a payload), and with goccy/go-json
// 2.9 times (0.52M records/cpu-s; 8.9ms a payload). Measure again with
//
//	go test -run '^$' -bench DecodeEndToEnd -count 8 ./internal/pipeline/subscription | tee e2e.txt
//	benchstat -col /variant e2e.txt
//
// and replace the scanner with encoding/json if the ratio falls below 1.5.
package subscription

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/klauspost/compress/gzip"
)

// MessageType is the kind of subscription message.
type MessageType uint8

// Message types.
const (
	// DataMessage carries log events.
	DataMessage MessageType = iota + 1
	// ControlMessage is sent by CloudWatch Logs to check that the
	// destination is reachable; its events are not log data.
	ControlMessage
)

// String returns the message type as CloudWatch Logs spells it.
func (t MessageType) String() string {
	switch t {
	case DataMessage:
		return "DATA_MESSAGE"
	case ControlMessage:
		return "CONTROL_MESSAGE"
	}
	return "unknown"
}

// Header is the part of a subscription message around its log events.
type Header struct {
	MessageType         MessageType
	Owner               string // AWS account ID that owns the log group
	LogGroup            string
	LogStream           string
	SubscriptionFilters []string
	// LogEvents counts the log events in the message, whether or not they
	// were delivered.
	LogEvents int
}

// Event is one log event. Its slices are valid only during the callback.
type Event struct {
	// ID is the event id: CloudWatch Logs writes a string of digits, moto
	// (the local AWS of the tests) a JSON number, whose literal text it is
	// then.
	ID        []byte
	Timestamp int64 // milliseconds since the Unix epoch
	Message   []byte
}

// ErrTooLarge is returned for a payload that decompresses to more than
// Decoder.MaxSize bytes.
var ErrTooLarge = errors.New("decompressed payload too large")

// ErrMessageType is returned for a message whose messageType is neither
// DATA_MESSAGE nor CONTROL_MESSAGE.
var ErrMessageType = errors.New("unknown messageType")

// DefaultMaxSize is the default limit on a decompressed payload.
const DefaultMaxSize = 64 << 20

// Decoder decodes subscription payloads, reusing its decompressor and
// buffers from one call to the next. It is not safe for concurrent use.
type Decoder struct {
	// MaxSize limits the size of a decompressed payload.
	MaxSize int

	zr  *gzip.Reader
	br  bytes.Reader
	doc []byte
	gz  []byte
	sc  scanner
}

// NewDecoder returns a Decoder with the default size limit.
func NewDecoder() *Decoder { return &Decoder{MaxSize: DefaultMaxSize} }

// DecodeBase64 decodes the awslogs.data string of a Lambda CloudWatch Logs
// event; see Decode.
func (d *Decoder) DecodeBase64(data string, fn func(Event) error) (Header, error) {
	// The decoder only reads its source, which can share the string's
	// bytes.
	gz, err := base64.StdEncoding.AppendDecode(d.gz[:0], unsafe.Slice(unsafe.StringData(data), len(data)))
	d.gz = gz
	if err != nil {
		return Header{}, fmt.Errorf("decoding subscription payload base64: %w", err)
	}
	return d.Decode(gz, fn)
}

// Decode decompresses a gzip payload, as Kinesis delivers it, and decodes it;
// see DecodeJSON.
func (d *Decoder) Decode(gz []byte, fn func(Event) error) (Header, error) {
	doc, err := d.Gunzip(gz)
	if err != nil {
		return Header{}, err
	}
	return d.DecodeJSON(doc, fn)
}

// Gunzip decompresses a payload into the decoder's buffer and returns it; it
// is valid until the next call.
func (d *Decoder) Gunzip(gz []byte) ([]byte, error) {
	limit := d.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	buf := d.doc[:0]
	// The gzip trailer holds the size of the (last) member, which is the
	// whole payload in the usual single-member case; deflate cannot expand
	// more than 1032 times, which bounds the hint for corrupt input. One
	// byte more lets the reader report the end without growing the buffer.
	if len(gz) >= 18 {
		if hint := int(binary.LittleEndian.Uint32(gz[len(gz)-4:])); hint < limit && hint <= 1032*len(gz) && cap(buf) < hint+1 {
			buf = make([]byte, 0, hint+1)
		}
	}
	d.br.Reset(gz)
	var err error
	if d.zr == nil {
		d.zr, err = gzip.NewReader(&d.br)
	} else {
		err = d.zr.Reset(&d.br)
	}
	if err != nil {
		return nil, fmt.Errorf("decompressing subscription payload: %w", err)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := d.zr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > limit {
			d.doc = buf[:0]
			return nil, fmt.Errorf("decompressing subscription payload: %w (limit %d bytes)", ErrTooLarge, limit)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			d.doc = buf[:0]
			return nil, fmt.Errorf("decompressing subscription payload: %w", err)
		}
	}
	d.doc = buf
	return buf, nil
}

// DecodeJSON decodes a decompressed subscription message and calls fn for
// each log event of a DATA_MESSAGE, in order, after the whole message has
// been validated. It decodes exactly as encoding/json would decode the
// message into events.CloudwatchLogsData, but for one thing: an event id may
// also be a JSON number, as moto writes it, and its literal text is then the
// id; any other type is still an error. A CONTROL_MESSAGE is reported in
// the header and its events are not delivered. An error from fn stops the
// decoding and is returned.
func (d *Decoder) DecodeJSON(doc []byte, fn func(Event) error) (Header, error) {
	if uint64(len(doc)) >= 1<<32 {
		return Header{}, fmt.Errorf("subscription payload: %w (%d bytes)", ErrTooLarge, len(doc))
	}
	sc := &d.sc
	sc.reset(doc)
	var h Header
	var msgType string
	if err := sc.document(&h, &msgType); err != nil {
		return Header{}, err
	}
	h.LogEvents = sc.count
	switch msgType {
	case "DATA_MESSAGE":
		h.MessageType = DataMessage
	case "CONTROL_MESSAGE":
		h.MessageType = ControlMessage
		return h, nil
	default:
		return Header{}, fmt.Errorf("subscription payload: %w %q", ErrMessageType, msgType)
	}
	for i := range sc.count {
		e := &sc.events[i]
		if err := fn(Event{ID: sc.view(e.id), Timestamp: e.ts, Message: sc.view(e.msg)}); err != nil {
			return h, err
		}
	}
	return h, nil
}
