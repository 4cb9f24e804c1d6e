package inventoryevents_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory/inventoryevents"
)

// FuzzDecode checks that no event makes Decode panic and that every update
// it returns names what it is about. The fixtures are the seed corpus.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev events.CloudWatchEvent
		if json.Unmarshal(b, &ev) != nil {
			return
		}
		ups, err := inventoryevents.Decode(ev)
		if err != nil && len(ups) > 0 {
			t.Fatalf("Decode returned updates and an error: %v", err)
		}
		for _, u := range ups {
			switch u := u.(type) {
			case inventoryevents.TagsChanged:
				if u.ARN == "" {
					t.Fatal("tags of no resource")
				}
			case inventoryevents.InterfaceCreated:
				if u.Interface == nil || u.Interface.ID == "" {
					t.Fatal("created interface without an id")
				}
			case inventoryevents.AddressesAssigned:
				if u.InterfaceID == "" || (len(u.Addrs) == 0 && u.Requested == 0) {
					t.Fatalf("assignment without an interface or addresses: %+v", u)
				}
			case inventoryevents.AddressesUnassigned:
				if u.InterfaceID == "" || len(u.Addrs) == 0 {
					t.Fatalf("unassignment without an interface or addresses: %+v", u)
				}
			}
		}
	})
}
