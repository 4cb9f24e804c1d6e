package inventoryhandler

import (
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// TestMain starts moto for the whole package: the inventory handler tests
// write to DynamoDB tables in it.
func TestMain(m *testing.M) { acctest.MainMoto(m) }
