package compaction_test

import (
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// TestMain starts moto for the package: the compaction's tests read and
// write S3 in it.
func TestMain(m *testing.M) { acctest.MainMoto(m) }
