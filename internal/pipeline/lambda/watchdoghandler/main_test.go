package watchdoghandler

import (
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// TestMain starts moto for the whole package: the watchdog tests scan
// flow logs and publish metrics and events in it.
func TestMain(m *testing.M) { acctest.MainMoto(m) }
