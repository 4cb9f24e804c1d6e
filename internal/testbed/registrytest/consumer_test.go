package registrytest

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/vpcflow/terraform-provider-vpcflow/internal/provider/acctest"
)

// ProviderBinaryEnv names the provider binary the consumer test installs
// (make registry-check builds it and sets this).
const ProviderBinaryEnv = "VPCFLOW_PROVIDER_BINARY"

// releaseVersions are the versions the test releases the modules at; the
// consumer's constraints must pick consumerVersion among them.
var releaseVersions = []string{"0.1.0", "0.2.0", "1.0.0"}

const consumerVersion = "0.2.0"

var root = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Clean(filepath.Join(wd, "..", "..", ".."))
}()

// requireTools skips the test unless acceptance tests run (TF_ACC: every
// caller needs Terraform), then fails it with the install line of a missing
// tool.
func requireTools(t *testing.T, tools map[string]string) {
	t.Helper()
	acctest.PreCheck(t)
	for tool, install := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not on the PATH; install it with: %s", tool, install)
		}
	}
}

// run runs a command in dir with env added to the test's environment and
// returns its combined output; a failure fails the test with that output.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// release runs the release's split step for each version, into one
// directory of archives, and returns that directory and the split trees of
// consumerVersion.
func release(t *testing.T) (archives, trees string) {
	t.Helper()
	archives = t.TempDir()
	for _, v := range releaseVersions {
		out := filepath.Join(t.TempDir(), "modules")
		t.Logf("scripts/module-release.sh split %s:\n%s", v, run(t, root, nil, filepath.Join(root, "scripts", "module-release.sh"), "split", v, out))
		files, err := filepath.Glob(filepath.Join(out, "*.tar.gz"))
		if err != nil || len(files) == 0 {
			t.Fatalf("the split at %s wrote no archives in %s", v, out)
		}
		for _, f := range files {
			if err := os.Rename(f, filepath.Join(archives, filepath.Base(f))); err != nil {
				t.Fatal(err)
			}
		}
		if v == consumerVersion {
			trees = out
		}
	}
	return archives, trees
}

// moduleNames lists modules/*/ of the repository: every one of them must be
// released.
func moduleNames(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(root, "modules", "*", "versions.tf"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no modules under %s/modules", root)
	}
	var names []string
	for _, d := range dirs {
		names = append(names, filepath.Base(filepath.Dir(d)))
	}
	return names
}

// archiveFiles reads the names and contents of the regular files of a .tar.gz.
func archiveFiles(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tr := tar.NewReader(gz)
	files := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = string(b)
	}
}

// TestReleasedModuleLayout checks what the split step writes for each
// module: the layout the Registry publishes from, and docs that name the
// module by its registry address.
func TestReleasedModuleLayout(t *testing.T) {
	requireTools(t, map[string]string{"terraform": acctest.TerraformInstall, "tar": "apt-get install -y tar", "gzip": "apt-get install -y gzip"})
	archives, _ := release(t)
	license, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range moduleNames(t) {
		for _, v := range releaseVersions {
			path := filepath.Join(archives, fmt.Sprintf("terraform-vpcflow-%s_%s.tar.gz", name, v))
			files := archiveFiles(t, path)
			for _, want := range []string{"versions.tf", "variables.tf", "outputs.tf", "README.md", "LICENSE"} {
				if _, ok := files[want]; !ok {
					t.Errorf("%s: no %s at the root", filepath.Base(path), want)
				}
			}
			if files["LICENSE"] != string(license) {
				t.Errorf("%s: LICENSE is not the repository's", filepath.Base(path))
			}
			readme := files["README.md"]
			if !regexp.MustCompile(`source\s*=\s*"vpcflow/`+name+`/vpcflow"\n\s*version\s*=`).MatchString(readme) || strings.Contains(readme, "github.com/vpcflow/terraform-provider-vpcflow//modules/") {
				t.Errorf("%s: README.md does not show source = \"vpcflow/%s/vpcflow\", or still shows a github.com/...//modules/ address", filepath.Base(path), name)
			}
			if strings.Contains(readme, "## Tests") || !strings.Contains(readme, "at version "+v+",") {
				t.Errorf("%s: README.md keeps the monorepo's Tests section or does not say it is version %s", filepath.Base(path), v)
			}
			examples := 0
			for f, content := range files {
				if strings.HasPrefix(f, "tests/") || strings.Contains(f, ".terraform") {
					t.Errorf("%s: holds %s, which the module's repository does not ship", filepath.Base(path), f)
				}
				if !strings.HasPrefix(f, "examples/") || !strings.HasSuffix(f, ".tf") {
					continue
				}
				examples++
				if strings.Contains(content, "../modules/") {
					t.Errorf("%s: %s calls a module by a path of the monorepo", filepath.Base(path), f)
				}
				for _, m := range regexp.MustCompile(`source\s*=\s*"vpcflow/[a-z-]+/vpcflow"\n\s*version\s*=\s*"([^"]+)"`).FindAllStringSubmatch(content, -1) {
					if m[1] != v {
						t.Errorf("%s: %s calls a sibling module at version %s, not the release's %s", filepath.Base(path), f, m[1], v)
					}
				}
			}
			if examples == 0 {
				t.Errorf("%s: no examples/*/*.tf", filepath.Base(path))
			}
		}
	}
}

// TestRegistryConsumer installs the released modules as a registry user
// does: a configuration names them by registry address and version
// constraint, `terraform init` resolves them through a module registry over
// HTTPS (this package's server, trusted through SSL_CERT_FILE), and
// `terraform plan` runs against moto with the provider built from this
// checkout, from a filesystem mirror. Any other network access would go to
// a proxy that refuses it.
func TestRegistryConsumer(t *testing.T) {
	binary := os.Getenv(ProviderBinaryEnv)
	if binary == "" {
		t.Skipf("%s is not set: run `make registry-check`, which builds the provider and runs this test", ProviderBinaryEnv)
	}
	if _, err := os.Stat(binary); err != nil {
		t.Fatalf("%s=%s: %v (make registry-check builds it)", ProviderBinaryEnv, binary, err)
	}
	requireTools(t, map[string]string{
		"terraform":   acctest.TerraformInstall,
		"moto_server": acctest.MotoInstall,
		"aws":         "pip install awscli",
		"jq":          "apt-get install -y jq",
		"tar":         "apt-get install -y tar",
		"gzip":        "apt-get install -y gzip",
	})

	archives, _ := release(t)
	modules, err := Archives(archives, "vpcflow")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	reg, err := Start(modules, work)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	t.Logf("registry at %s serving %d modules in versions %v", reg.URL, len(modules), releaseVersions)

	// The provider, from the local build only.
	mirror := filepath.Join(work, "mirror")
	platform := runtime.GOOS + "_" + runtime.GOARCH
	pdir := filepath.Join(mirror, "registry.terraform.io", "vpcflow", "vpcflow", consumerVersion, platform)
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(binary, filepath.Join(pdir, "terraform-provider-vpcflow_v"+consumerVersion)); err != nil {
		t.Fatal(err)
	}
	cliConfig := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf(`# registry.terraform.io's modules come from the test registry; the
# provider only from the mirror, never from a network.
host "registry.terraform.io" {
  services = {
    "modules.v1" = "%s%s"
  }
}

provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/vpcflow/vpcflow"]
  }
}
`, reg.URL, ModulesPath, mirror)), 0o644); err != nil {
		t.Fatal(err)
	}

	// The consumer: examples/central-and-sources, which calls every module,
	// with each module by registry address and a constraint that only
	// consumerVersion meets. enrichment names the test registry's host, so
	// Terraform finds its modules service by discovery.
	consumer := filepath.Join(work, "consumer")
	if err := os.MkdirAll(consumer, 0o755); err != nil {
		t.Fatal(err)
	}
	addresses := map[string][2]string{
		"flow-logs":      {"vpcflow/flow-logs/vpcflow", "~> 0.2.0"},
		"source-account": {"vpcflow/source-account/vpcflow", ">= 0.1.1, < 1.0.0"},
		"enrichment":     {reg.Host + "/vpcflow/enrichment/vpcflow", "~> 0.2"},
	}
	// A module the example does not call is installed on its own below.
	var others []string
	for _, name := range moduleNames(t) {
		if _, ok := addresses[name]; !ok {
			others = append(others, name)
		}
	}
	source := regexp.MustCompile(`(?m)^(\s*)source(\s*)= "\.\./\.\./modules/([a-z0-9_-]+)"$`)
	example := filepath.Join(root, "examples", "central-and-sources")
	tfFiles, err := filepath.Glob(filepath.Join(example, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, f := range tfFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out := source.ReplaceAllStringFunc(string(b), func(line string) string {
			m := source.FindStringSubmatch(line)
			addr, ok := addresses[m[3]]
			if !ok {
				t.Fatalf("%s calls modules/%s, which the test does not name by registry address", f, m[3])
			}
			used[m[3]] = true
			return fmt.Sprintf("%ssource = %q\n%sversion = %q", m[1], addr[0], m[1], addr[1])
		})
		if err := os.WriteFile(filepath.Join(consumer, filepath.Base(f)), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(used) != len(addresses) {
		t.Fatalf("examples/central-and-sources calls %v; the test needs it to call every module of %v", used, addresses)
	}

	env := []string{
		"TF_CLI_CONFIG_FILE=" + cliConfig,
		"SSL_CERT_FILE=" + reg.CAFile,
		"SSL_CERT_DIR=" + work, // no other authority: the test CA alone
		// Terraform never proxies loopback addresses (the registry, moto);
		// anything else it would fetch goes here and is refused.
		"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9", "NO_PROXY=",
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_PLUGIN_CACHE_DIR=",
	}
	initOut := run(t, consumer, env, "terraform", "init", "-input=false", "-no-color")
	t.Logf("terraform init:\n%s", initOut)
	if !strings.Contains(initOut, "Installing vpcflow/vpcflow v"+consumerVersion) {
		t.Errorf("terraform init did not install vpcflow/vpcflow v%s from the mirror", consumerVersion)
	}

	// What init installed: each module call at consumerVersion, from the
	// address it names.
	var manifest struct {
		Modules []struct{ Key, Source, Version, Dir string }
	}
	b, err := os.ReadFile(filepath.Join(consumer, ".terraform", "modules", "modules.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	installed := map[string]int{}
	for _, m := range manifest.Modules {
		if m.Key == "" {
			continue
		}
		name := ""
		for n, addr := range addresses {
			want := addr[0]
			if strings.Count(want, "/") == 2 {
				want = "registry.terraform.io/" + want
			}
			if m.Source == want {
				name = n
			}
		}
		if name == "" || m.Version != consumerVersion {
			t.Errorf("module.%s: installed %s version %q; want one of the registry addresses at %s", m.Key, m.Source, m.Version, consumerVersion)
			continue
		}
		installed[name]++
		if _, err := os.Stat(filepath.Join(consumer, m.Dir, "LICENSE")); err != nil {
			t.Errorf("module.%s (%s): no LICENSE in what init unpacked: %v", m.Key, m.Source, err)
		}
	}
	if want := map[string]int{"enrichment": 1, "flow-logs": 2, "source-account": 2}; !mapsEqual(installed, want) {
		t.Errorf("installed module calls per module %v, want %v", installed, want)
	}

	// What the registry was asked: discovery for the named host, the
	// versions of each module, and one download, at consumerVersion, each.
	requests := reg.Requests()
	t.Logf("registry requests:\n  %s", strings.Join(requests, "\n  "))
	want := []string{"GET /.well-known/terraform.json 200"}
	for name := range addresses {
		want = append(want,
			"GET /v1/modules/vpcflow/"+name+"/vpcflow/versions 200",
			"GET /v1/modules/vpcflow/"+name+"/vpcflow/"+consumerVersion+"/download 204",
			"GET /archives/terraform-vpcflow-"+name+"_"+consumerVersion+".tar.gz 200")
	}
	for _, w := range want {
		if !slices.Contains(requests, w) {
			t.Errorf("the registry was not asked %q", w)
		}
	}
	for _, r := range requests {
		if !strings.HasSuffix(r, " 200") && !strings.HasSuffix(r, " 204") {
			t.Errorf("the registry answered %q", r)
		}
		for _, v := range releaseVersions {
			if v != consumerVersion && strings.Contains(r, v) {
				t.Errorf("version %s was fetched (%q), though no constraint allows it", v, r)
			}
		}
	}

	if len(others) > 0 {
		installOthers(t, filepath.Join(work, "others"), env, others)
	}

	// The plan, against moto, with the fixtures the example expects.
	moto, err := acctest.StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	defer moto.Stop()
	if err := acctest.UseMoto(moto); err != nil {
		t.Fatal(err)
	}
	vars := run(t, consumer, nil, filepath.Join(example, "setup-moto.sh"))
	if err := os.WriteFile(filepath.Join(consumer, "moto.tfvars"), []byte(vars), 0o644); err != nil {
		t.Fatal(err)
	}
	planOut := run(t, consumer, env, "terraform", "plan", "-input=false", "-no-color", "-lock=false", "-var-file=moto.tfvars", "-compact-warnings")
	plan := regexp.MustCompile(`(?m)^Plan: ([0-9]+) to add, 0 to change, 0 to destroy\.$`).FindStringSubmatch(planOut)
	if plan == nil || plan[1] == "0" {
		t.Fatalf("terraform plan of the consumer did not plan to add resources:\n%s", planOut)
	}
	t.Logf("terraform plan: %s", plan[0])
}

// TestPublish publishes the split modules into repositories as the release
// does (local bare repositories standing in for GitHub): one commit and tag
// per version on branch main, the module at the root, and no second
// publication of a version.
func TestPublish(t *testing.T) {
	requireTools(t, map[string]string{"terraform": acctest.TerraformInstall, "git": "apt-get install -y git", "tar": "apt-get install -y tar", "gzip": "apt-get install -y gzip"})
	remotes := t.TempDir()
	names := moduleNames(t)
	for _, name := range names {
		run(t, remotes, nil, "git", "init", "-q", "--bare", "terraform-vpcflow-"+name+".git")
	}
	script := filepath.Join(root, "scripts", "module-release.sh")
	gitEnv := []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	for _, v := range []string{"0.1.0", "0.2.0"} {
		out := filepath.Join(t.TempDir(), "modules")
		run(t, root, gitEnv, script, "split", v, out)
		t.Logf("publish %s:\n%s", v, run(t, root, gitEnv, script, "publish", v, out, remotes))
	}
	for _, name := range names {
		bare := filepath.Join(remotes, "terraform-vpcflow-"+name+".git")
		tags := strings.Fields(run(t, bare, gitEnv, "git", "tag", "--list"))
		if !slices.Equal(tags, []string{"v0.1.0", "v0.2.0"}) {
			t.Errorf("%s: tags %v, want v0.1.0 v0.2.0", bare, tags)
		}
		if parent := strings.TrimSpace(run(t, bare, gitEnv, "git", "rev-parse", "v0.2.0^{commit}^")); parent != strings.TrimSpace(run(t, bare, gitEnv, "git", "rev-parse", "v0.1.0^{commit}")) {
			t.Errorf("%s: v0.2.0 does not follow v0.1.0 on main", bare)
		}
		if head := strings.TrimSpace(run(t, bare, gitEnv, "git", "rev-parse", "main")); head != strings.TrimSpace(run(t, bare, gitEnv, "git", "rev-parse", "v0.2.0^{commit}")) {
			t.Errorf("%s: main is not at v0.2.0", bare)
		}
		tree := strings.Fields(run(t, bare, gitEnv, "git", "ls-tree", "--name-only", "v0.2.0"))
		for _, f := range []string{"LICENSE", "README.md", "examples", "versions.tf"} {
			if !slices.Contains(tree, f) {
				t.Errorf("%s at v0.2.0: no %s at the root (%v)", bare, f, tree)
			}
		}
		if slices.Contains(tree, "tests") {
			t.Errorf("%s at v0.2.0 holds tests/", bare)
		}
	}

	// A version is published once.
	out := filepath.Join(t.TempDir(), "modules")
	run(t, root, gitEnv, script, "split", "0.2.0", out)
	cmd := exec.Command(script, "publish", "0.2.0", out, remotes)
	cmd.Env = append(os.Environ(), gitEnv...)
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "already has tag v0.2.0") {
		t.Errorf("publishing 0.2.0 twice: err %v, output:\n%s\nwant a refusal naming the tag", err, msg)
	}
	for _, name := range names {
		bare := filepath.Join(remotes, "terraform-vpcflow-"+name+".git")
		if n := strings.TrimSpace(run(t, bare, gitEnv, "git", "rev-list", "--count", "main")); n != "2" {
			t.Errorf("%s: %s commits on main after the refused publication, want 2", bare, n)
		}
	}
}

// installOthers runs terraform get of a configuration that calls each of
// names by registry address at consumerVersion, for the modules
// examples/central-and-sources does not call, and checks what it installed.
func installOthers(t *testing.T, dir string, env, names []string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var config strings.Builder
	for _, name := range names {
		fmt.Fprintf(&config, "module %q {\n  source  = \"vpcflow/%s/vpcflow\"\n  version = \"~> %s\"\n}\n\n", strings.ReplaceAll(name, "-", "_"), name, consumerVersion)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("terraform get of %v:\n%s", names, run(t, dir, env, "terraform", "get", "-no-color"))
	b, err := os.ReadFile(filepath.Join(dir, ".terraform", "modules", "modules.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		want := fmt.Sprintf(`"Source":"registry.terraform.io/vpcflow/%s/vpcflow","Version":%q`, name, consumerVersion)
		if !strings.Contains(string(b), want) {
			t.Errorf("module %s: terraform get did not install it at %s from the registry: %s", name, consumerVersion, b)
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
