package queries

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/synthetic"
)

func TestAll(t *testing.T) {
	want := map[string][]string{
		CrossAZShare:      {"now", "table"},
		AppPeers:          {"app", "now", "table"},
		LBBypass:          {"now", "table"},
		LambdaRDSDirect:   {"now", "table"},
		DestinationGrowth: {"now", "table"},
	}
	all := All()
	if len(all) != len(want) {
		t.Fatalf("%d queries, want %d", len(all), len(want))
	}
	for _, q := range all {
		t.Run(q.Name, func(t *testing.T) {
			params, ok := want[q.Name]
			if !ok {
				t.Fatalf("unexpected query %s", q.Name)
			}
			got := slices.Clone(q.Params)
			slices.Sort(got)
			if !slices.Equal(got, params) {
				t.Errorf("params %v, want %v", got, params)
			}
			if q.Description == "" || strings.Contains(q.Description, "--") {
				t.Errorf("description %q", q.Description)
			}
			disk, err := os.ReadFile(q.Name + ".sql")
			if err != nil {
				t.Fatal(err)
			}
			if string(disk) != q.SQL {
				t.Error("embedded text differs from the file")
			}
		})
	}
}

func TestRender(t *testing.T) {
	q, err := Get(AppPeers)
	if err != nil {
		t.Fatal(err)
	}
	now := Timestamp(time.Date(2024, 6, 10, 0, 0, 0, 0, time.FixedZone("x", 3600)))
	if now != "TIMESTAMP '2024-06-09 23:00:00'" {
		t.Errorf("Timestamp = %s", now)
	}
	tests := []struct {
		name    string
		params  map[string]string
		want    []string
		wantErr string
	}{
		{name: "all given", params: map[string]string{"table": "t", "now": now, "app": "web"},
			want: []string{"FROM t\n", "client_app = 'web'", now + " - INTERVAL '21' DAY"}},
		{name: "quote in app", params: map[string]string{"table": "t", "now": now, "app": "o'neil"},
			want: []string{"client_app = 'o''neil'"}},
		{name: "missing", params: map[string]string{"table": "t", "now": now}, wantErr: "{{app}} not given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, err := q.Render(tt.params)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(sql, "{{") {
				t.Errorf("parameters left in %s", sql)
			}
			for _, w := range tt.want {
				if !strings.Contains(sql, w) {
					t.Errorf("no %q in\n%s", w, sql)
				}
			}
		})
	}
	if _, err := Get("nope"); err == nil {
		t.Error("Get of an unknown query succeeded")
	}
}

func TestCompare(t *testing.T) {
	truth := synthetic.Truth{
		App:      "reporting",
		Peers:    []synthetic.AppBytes{{App: "api", Bytes: 10}, {App: "worker", Bytes: 5}},
		LBBypass: []synthetic.Bypass{{Client: "b", Server: "c", Port: 9000}, {Client: "a", Server: "c", Port: 9000}},
	}
	if err := Compare(AppPeers, truth, [][]string{{"api", "10"}, {"worker", "5"}}); err != nil {
		t.Error(err)
	}
	// Order is part of the peers' answer, not of the bypasses'; extra
	// columns are not compared.
	if err := Compare(AppPeers, truth, [][]string{{"worker", "5"}, {"api", "10"}}); err == nil || !strings.Contains(err.Error(), "ground truth") {
		t.Errorf("peers out of order: %v", err)
	}
	if err := Compare(LBBypass, truth, [][]string{{"b", "c", "9000", "77"}, {"a", "c", "9000", "1"}}); err != nil {
		t.Error(err)
	}
	if err := Compare(LBBypass, truth, [][]string{{"a", "c", "9000"}}); err == nil {
		t.Error("a missing bypass: no error")
	}
	if err := Compare(LambdaRDSDirect, truth, nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("an empty truth: %v", err)
	}
	if _, err := Expected("nope", truth); err == nil {
		t.Error("an unknown query: no error")
	}
}
