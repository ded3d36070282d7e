package auth

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/skyswitch/skyswitch/internal/testcert"
)

// serveTLS starts a TLS server on 127.0.0.1 with cert that answers every
// request with an empty JSON object, and returns its port.
func serveTLS(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	return testcert.Serve(t, cert, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{}`))
	}))
}

// trusting is an HTTP client that trusts only pool (nil: the system's).
func trusting(pool *x509.CertPool) *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Proxy: nil}
	return &http.Client{Transport: tr, CheckRedirect: noRedirects.CheckRedirect}
}
