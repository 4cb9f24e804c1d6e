package subscription

import (
	"testing"
)

// FuzzDecode checks that the decoder never panics, and that it agrees with
// encoding/json on every document (allowing numeric event ids; see
// decodeReference): both reject it, or both accept it with the same header
// and the same events.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"g","logStream":"s","subscriptionFilters":["f"],"logEvents":[{"id":"1","timestamp":1,"message":"m"}]}`))
	f.Add([]byte(`{"messageType":"CONTROL_MESSAGE","logEvents":[{"id":"","timestamp":1432826855000,"message":"CWL CONTROL MESSAGE"}]}`))
	f.Add([]byte(`{"messageType":"DATA_MESSAGE","logEvents":[{"id":0,"timestamp":1,"message":"m"},{"id":-1.5e3,"message":"n"}]}`))
	f.Add(GenerateJSON(3, 1))
	d := NewDecoder()
	f.Fuzz(func(t *testing.T, doc []byte) {
		// As raw gzip input it is almost always corrupt: only no panic matters.
		_, _ = d.Decode(doc, func(Event) error { return nil })
		_, _ = d.DecodeBase64(string(doc), func(Event) error { return nil })
		compareWithNaive(t, d, doc)
	})
}
