// Package registrytest serves Terraform modules the way the public Terraform
// Registry does, over HTTPS on a loopback port with a certificate authority of
// its own, so that a test can install the released modules with `terraform
// init` as a registry user does.
//
// It speaks the module registry protocol
// (https://developer.hashicorp.com/terraform/internals/module-registry-protocol):
//
//	GET /.well-known/terraform.json                         service discovery: {"modules.v1": "/v1/modules/"}
//	GET /v1/modules/NAMESPACE/NAME/PROVIDER/versions         the versions available
//	GET /v1/modules/NAMESPACE/NAME/PROVIDER/VERSION/download 204, X-Terraform-Get: /archives/FILE
//	GET /archives/FILE                                       the module's .tar.gz
//
// The archives are the files the release writes (scripts/module-release.sh
// split): terraform-PROVIDER-NAME_VERSION.tar.gz, the module at the root.
package registrytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ModulesPath is where the server's modules.v1 service lives.
const ModulesPath = "/v1/modules/"

// Module is a registry module address without its host.
type Module struct {
	Namespace, Name, Provider string
}

func (m Module) String() string { return m.Namespace + "/" + m.Name + "/" + m.Provider }

// archiveName is the file name scripts/module-release.sh gives a module's
// archive: terraform-PROVIDER-NAME_VERSION.tar.gz.
var archiveName = regexp.MustCompile(`^terraform-([a-z0-9]+)-([a-z0-9_-]+)_([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?)\.tar\.gz$`)

// Archives lists the module archives in dir under namespace: module to
// version to file.
func Archives(dir, namespace string) (map[Module]map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[Module]map[string]string{}
	for _, e := range entries {
		m := archiveName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			continue
		}
		mod := Module{Namespace: namespace, Name: m[2], Provider: m[1]}
		if out[mod] == nil {
			out[mod] = map[string]string{}
		}
		out[mod][m[3]] = filepath.Join(dir, e.Name())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no module archives (terraform-PROVIDER-NAME_VERSION.tar.gz) in %s", dir)
	}
	return out, nil
}

// Server is a running module registry.
type Server struct {
	// URL is https://127.0.0.1:PORT.
	URL string
	// Host is 127.0.0.1:PORT, the host part of a module address that names
	// this registry explicitly.
	Host string
	// CAFile holds the PEM certificate of the authority that signed the
	// server's certificate: SSL_CERT_FILE for Terraform, which then trusts it.
	CAFile string
	// CAPool holds the same authority, for Go clients.
	CAPool *x509.CertPool

	srv      *httptest.Server
	modules  map[Module]map[string]string
	mu       sync.Mutex
	requests []string
}

// Start serves modules over HTTPS on a free loopback port with a new
// certificate authority, whose certificate it writes into dir.
func Start(modules map[Module]map[string]string, dir string) (*Server, error) {
	caPEM, cert, err := newCertificates()
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(dir, "registry-ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)

	s := &Server{CAFile: caFile, CAPool: pool, modules: modules}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.srv.StartTLS()
	s.URL = s.srv.URL
	s.Host = strings.TrimPrefix(s.URL, "https://")
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Client is an HTTP client that trusts the server's authority.
func (s *Server) Client() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CAPool, MinVersion: tls.VersionTLS12}}}
}

// Requests returns "METHOD PATH STATUS" of every request served so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func (s *Server) record(r *http.Request, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, status))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	status := s.route(w, r)
	s.record(r, status)
}

// route answers one request and returns the status it answered with.
func (s *Server) route(w http.ResponseWriter, r *http.Request) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return writeError(w, http.StatusMethodNotAllowed, "only GET")
	}
	path := r.URL.Path
	switch {
	case path == "/.well-known/terraform.json":
		return writeJSON(w, map[string]string{"modules.v1": ModulesPath})
	case strings.HasPrefix(path, ModulesPath):
		return s.modulesV1(w, strings.Split(strings.TrimPrefix(path, ModulesPath), "/"))
	case strings.HasPrefix(path, "/archives/"):
		name := strings.TrimPrefix(path, "/archives/")
		for _, versions := range s.modules {
			for _, file := range versions {
				if filepath.Base(file) == name {
					w.Header().Set("Content-Type", "application/x-gzip")
					http.ServeFile(w, r, file)
					return http.StatusOK
				}
			}
		}
	}
	return writeError(w, http.StatusNotFound, "Not Found")
}

// modulesV1 answers NAMESPACE/NAME/PROVIDER/versions and
// NAMESPACE/NAME/PROVIDER/VERSION/download.
func (s *Server) modulesV1(w http.ResponseWriter, parts []string) int {
	if len(parts) < 4 {
		return writeError(w, http.StatusNotFound, "Not Found")
	}
	mod := Module{Namespace: parts[0], Name: parts[1], Provider: parts[2]}
	versions, ok := s.modules[mod]
	if !ok {
		return writeError(w, http.StatusNotFound, "Not Found")
	}
	switch {
	case len(parts) == 4 && parts[3] == "versions":
		list := make([]map[string]string, 0, len(versions))
		for _, v := range sortedVersions(versions) {
			list = append(list, map[string]string{"version": v})
		}
		return writeJSON(w, map[string]any{"modules": []map[string]any{{"source": mod.String(), "versions": list}}})
	case len(parts) == 5 && parts[4] == "download":
		file, ok := versions[parts[3]]
		if !ok {
			return writeError(w, http.StatusNotFound, "Not Found")
		}
		// A path: Terraform resolves it against the download URL.
		w.Header().Set("X-Terraform-Get", "/archives/"+filepath.Base(file))
		w.WriteHeader(http.StatusNoContent)
		return http.StatusNoContent
	}
	return writeError(w, http.StatusNotFound, "Not Found")
}

// sortedVersions returns the versions in semantic version order (the
// archive names admit only MAJOR.MINOR.PATCH[-PRERELEASE]).
func sortedVersions(versions map[string]string) []string {
	out := make([]string, 0, len(versions))
	for v := range versions {
		out = append(out, v)
	}
	slices.SortFunc(out, compareVersions)
	return out
}

func compareVersions(a, b string) int {
	ca, pa, _ := strings.Cut(a, "-")
	cb, pb, _ := strings.Cut(b, "-")
	na, nb := strings.Split(ca, "."), strings.Split(cb, ".")
	for i := 0; i < len(na) && i < len(nb); i++ {
		x, _ := strconv.Atoi(na[i])
		y, _ := strconv.Atoi(nb[i])
		if x != y {
			return x - y
		}
	}
	switch {
	case pa == pb:
		return 0
	case pa == "": // a release sorts after its prereleases
		return 1
	case pb == "":
		return -1
	}
	return strings.Compare(pa, pb)
}

func writeJSON(w http.ResponseWriter, v any) int {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
	return http.StatusOK
}

func writeError(w http.ResponseWriter, status int, msg string) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string][]string{"errors": {msg}})
	return status
}

// newCertificates makes a certificate authority and, signed by it, a server
// certificate for 127.0.0.1 and localhost. It returns the authority's PEM and
// the server's key pair.
func newCertificates() ([]byte, tls.Certificate, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	now := time.Now()
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "vpcflow registry test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	leafTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if caPEM == nil {
		return nil, tls.Certificate{}, errors.New("encoding the CA certificate")
	}
	return caPEM, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}, nil
}
