package registrytest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// writeArchive writes a .tar.gz holding files (name to content) at the root.
func writeArchive(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestProtocol checks each answer of the module registry protocol against
// what Terraform expects of it, with a Go client that trusts only the
// server's own authority.
func TestProtocol(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"0.10.0", "0.2.0", "0.2.0-rc.1", "1.0.0"} {
		writeArchive(t, filepath.Join(dir, "terraform-vpcflow-flow-logs_"+v+".tar.gz"), map[string]string{"main.tf": "# " + v + "\n"})
	}
	writeArchive(t, filepath.Join(dir, "terraform-vpcflow-enrichment_0.2.0.tar.gz"), map[string]string{"main.tf": "\n"})
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a module"), 0o644); err != nil {
		t.Fatal(err)
	}
	modules, err := Archives(dir, "vpcflow")
	if err != nil {
		t.Fatal(err)
	}
	if len(modules) != 2 || len(modules[Module{"vpcflow", "flow-logs", "vpcflow"}]) != 4 {
		t.Fatalf("Archives found %v, want flow-logs in 4 versions and enrichment", modules)
	}
	s, err := Start(modules, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := s.Client()

	// answer is a response read whole.
	type answer struct {
		path       string
		StatusCode int
		Header     http.Header
		Body       []byte
	}
	get := func(path string) answer {
		t.Helper()
		resp, err := client.Get(s.URL + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return answer{path, resp.StatusCode, resp.Header, body}
	}
	decode := func(a answer, v any) {
		t.Helper()
		if err := json.Unmarshal(a.Body, v); err != nil {
			t.Fatalf("decoding %s: %v", a.path, err)
		}
	}

	t.Run("discovery", func(t *testing.T) {
		var services map[string]string
		decode(get("/.well-known/terraform.json"), &services)
		if services["modules.v1"] != ModulesPath {
			t.Errorf("discovery gives %v, want modules.v1 = %s", services, ModulesPath)
		}
	})

	t.Run("versions in semantic order", func(t *testing.T) {
		var body struct {
			Modules []struct {
				Source   string `json:"source"`
				Versions []struct {
					Version string `json:"version"`
				} `json:"versions"`
			} `json:"modules"`
		}
		decode(get("/v1/modules/vpcflow/flow-logs/vpcflow/versions"), &body)
		if len(body.Modules) != 1 || body.Modules[0].Source != "vpcflow/flow-logs/vpcflow" {
			t.Fatalf("versions answer %+v, want one module vpcflow/flow-logs/vpcflow", body)
		}
		var got []string
		for _, v := range body.Modules[0].Versions {
			got = append(got, v.Version)
		}
		if want := []string{"0.2.0-rc.1", "0.2.0", "0.10.0", "1.0.0"}; !slices.Equal(got, want) {
			t.Errorf("versions %v, want %v", got, want)
		}
	})

	t.Run("download", func(t *testing.T) {
		resp := get("/v1/modules/vpcflow/flow-logs/vpcflow/0.10.0/download")
		loc := resp.Header.Get("X-Terraform-Get")
		if resp.StatusCode != http.StatusNoContent || loc != "/archives/terraform-vpcflow-flow-logs_0.10.0.tar.gz" {
			t.Fatalf("download: %d, X-Terraform-Get %q; want 204 and the 0.10.0 archive", resp.StatusCode, loc)
		}
		archive := get(loc)
		got := archive.Body
		want, err := os.ReadFile(filepath.Join(dir, "terraform-vpcflow-flow-logs_0.10.0.tar.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if archive.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
			t.Errorf("archive: %d, %d bytes; want 200 and the %d bytes of the file", archive.StatusCode, len(got), len(want))
		}
	})

	t.Run("unknown", func(t *testing.T) {
		for _, path := range []string{
			"/v1/modules/vpcflow/flow-logs/vpcflow/9.9.9/download",
			"/v1/modules/vpcflow/nothing/vpcflow/versions",
			"/v1/modules/other/flow-logs/vpcflow/versions",
			"/archives/notes.txt",
			"/archives/../registry-ca.pem",
		} {
			if resp := get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
			}
		}
	})

	if n := len(s.Requests()); n < 9 {
		t.Errorf("the server recorded %d requests, want every one of at least 9", n)
	}
}
