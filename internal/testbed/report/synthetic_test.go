package report

import (
	"bytes"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/connrows"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/enrich"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/pipeline/inventory"
	"github.com/vpcflow/terraform-provider-vpcflow/internal/testbed/synthetic"
)

var synth struct {
	once sync.Once
	rows []connrows.Row
	err  error
}

// syntheticRows enriches the synthetic set's flow logs into gzip NDJSON and
// reads the rows back.
func syntheticRows(t *testing.T) []connrows.Row {
	t.Helper()
	synth.once.Do(func() { synth.rows, synth.err = enrichSynthetic() })
	if synth.err != nil {
		t.Fatal(synth.err)
	}
	return synth.rows
}

func enrichSynthetic() ([]connrows.Row, error) {
	set := synthetic.Generate(synthetic.Options{Seed: 1, HoursPerDay: 1})
	inv := inventory.New()
	if err := inv.LoadNetworkInterfaces(bytes.NewReader(set.NetworkInterfaces), time.Time{}); err != nil {
		return nil, err
	}
	if err := inv.LoadTags(bytes.NewReader(set.Resources)); err != nil {
		return nil, err
	}
	if err := inv.LoadIPRanges(bytes.NewReader(set.IPRanges)); err != nil {
		return nil, err
	}
	// One gzip member per flow log, as concatenated objects would be.
	var buf bytes.Buffer
	for _, fl := range set.FlowLogs {
		w, err := connrows.NewNDJSON(&buf, connrows.NDJSONOptions{Gzip: true})
		if err != nil {
			return nil, err
		}
		e, err := enrich.New(inv, w, enrich.Options{})
		if err != nil {
			return nil, err
		}
		if err := e.ReadLines(bytes.NewReader(fl.File())); err != nil {
			return nil, err
		}
		if err := e.Close(); err != nil {
			return nil, err
		}
	}
	return ReadNDJSON(&buf)
}

func TestSynthetic(t *testing.T) {
	rows := syntheticRows(t)
	m := Build(slices.Values(rows), 0)
	var apps []string
	for _, a := range m.Apps {
		apps = append(apps, a.Name)
	}
	for _, want := range []string{"web", "api", "reporting", "sessions", "orders", "billing", "worker", "network", "internet", "aws:s3", "aws:dynamodb"} {
		if !slices.Contains(apps, want) {
			t.Errorf("app %q missing from %q", want, apps)
		}
	}
	if len(m.AZPairs) == 0 {
		t.Fatal("no AZ pairs")
	}
	var crossAZ, pairs int64
	for _, r := range rows {
		if r.CrossAz && r.Action != "REJECT" {
			crossAZ += r.Uploaded + r.Downloaded
		}
	}
	for _, p := range m.AZPairs {
		pairs += p.Bytes
	}
	if pairs != crossAZ || m.CrossAZBytes != crossAZ {
		t.Errorf("AZ pairs sum to %d and CrossAZBytes is %d, rows flagged CrossAz carry %d", pairs, m.CrossAZBytes, crossAZ)
	}
	if len(m.TopTalkers) != DefaultTop {
		t.Errorf("%d top talkers", len(m.TopTalkers))
	}
	if m.Rejected == 0 {
		t.Error("no rejected connections")
	}
	t.Logf("%d rows, %d apps, %d edges, %d AZ pairs, %s", m.Rows, len(m.Apps), len(m.Edges), len(m.AZPairs), HumanBytes(m.Bytes))
}
