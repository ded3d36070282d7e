package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serve answers every request with h and returns the server's URL.
func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestQuerySendsUserAgentBearerAndParams(t *testing.T) {
	var got *http.Request
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Write([]byte(`{"did":"did:plc:abc"}`))
	})
	c := &Client{UserAgent: ""}
	var out struct{ DID string }
	err := c.Query(context.Background(), base, "com.atproto.identity.resolveHandle", "tok", map[string][]string{"handle": {"a.test"}}, &out)
	if err != nil || out.DID != "did:plc:abc" {
		t.Fatalf("got %+v, %v", out, err)
	}
	if got.URL.Path != "/xrpc/com.atproto.identity.resolveHandle" || got.URL.Query().Get("handle") != "a.test" {
		t.Errorf("request %s", got.URL)
	}
	if ua := got.Header.Get("User-Agent"); ua != "skyswitch/"+DefaultVersion {
		t.Errorf("User-Agent %q", ua)
	}
	if a := got.Header.Get("Authorization"); a != "Bearer tok" {
		t.Errorf("Authorization %q", a)
	}
}

func TestErrorDecoding(t *testing.T) {
	now := time.Now()
	reset := now.Add(90 * time.Second).Unix()
	cases := []struct {
		name      string
		status    int
		body      string
		headers   map[string]string
		is        error
		transient bool
		wantName  string
		wantMsg   string
	}{
		{"auth required", 401, `{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`, nil, ErrAuthenticationRequired, false, "AuthenticationRequired", "Invalid identifier or password"},
		{"2fa", 401, `{"error":"AuthFactorTokenRequired","message":"A sign in code has been sent to your email address"}`, nil, ErrAuthFactorTokenRequired, false, "AuthFactorTokenRequired", "A sign in code has been sent to your email address"},
		{"takedown", 401, `{"error":"AccountTakedown","message":"Account has been taken down"}`, nil, ErrAccountTakedown, false, "AccountTakedown", ""},
		{"expired", 400, `{"error":"ExpiredToken","message":"Token has been revoked"}`, nil, ErrExpiredToken, false, "ExpiredToken", ""},
		{"invalid", 400, `{"error":"InvalidToken","message":"Invalid token type"}`, nil, ErrInvalidToken, false, "InvalidToken", ""},
		{"rate limited", 429, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, map[string]string{"Retry-After": "30", "RateLimit-Reset": "0"}, ErrRateLimited, true, "RateLimitExceeded", ""},
		{"request timeout", 408, `{"error":"RequestTimeout","message":"Request Timeout"}`, nil, nil, true, "RequestTimeout", "Request Timeout"},
		{"html 502", 502, `<html><body>Bad Gateway</body></html>`, nil, nil, true, "", ""},
		{"empty 500", 500, ``, nil, nil, true, "", ""},
		{"empty 400", 400, ``, nil, nil, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := serve(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range c.headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			})
			err := (&Client{}).Procedure(context.Background(), base, "com.atproto.server.createSession", "", map[string]string{"password": "hunter2"}, nil)
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if xe.Status != c.status || xe.Name != c.wantName || (c.wantMsg != "" && xe.Message != c.wantMsg) {
				t.Errorf("got %+v", xe)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, c.is)
			}
			if IsTransient(err) != c.transient {
				t.Errorf("IsTransient = %v, want %v", !c.transient, c.transient)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
	t.Run("rate limit reset", func(t *testing.T) {
		base := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset, 10))
			w.WriteHeader(429)
		})
		err := (&Client{}).Query(context.Background(), base, "x.y.z", "", nil, nil)
		if d := RetryDelay(err, now); d < 80*time.Second || d > 91*time.Second {
			t.Fatalf("RetryDelay = %v, want ~90s (err %v)", d, err)
		}
	})
	t.Run("retry after wins", func(t *testing.T) {
		base := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset, 10))
			w.WriteHeader(429)
		})
		err := (&Client{}).Query(context.Background(), base, "x.y.z", "", nil, nil)
		if d := RetryDelay(err, now); d != 7*time.Second {
			t.Fatalf("RetryDelay = %v", d)
		}
	})
}

func TestBadResponses(t *testing.T) {
	cases := map[string]http.HandlerFunc{
		"garbage 200": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>captive portal</html>")) },
		"oversized": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"did":"`))
			w.Write([]byte(strings.Repeat("a", DefaultMaxResponseBytes)))
		},
		"cut mid-body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.Write([]byte(`{"did":"did:plc:a`))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			var out struct{ DID string }
			err := (&Client{}).Query(context.Background(), serve(t, h), "x.y.z", "", nil, &out)
			if !errors.Is(err, ErrBadResponse) || !IsTransient(err) {
				t.Fatalf("want transient ErrBadResponse, got %v", err)
			}
		})
	}
}

func TestRedirectIsNotFollowedAndTokenStaysHome(t *testing.T) {
	var leaked bool
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("Authorization") != ""
		w.Write([]byte(`{}`))
	})
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other+r.URL.Path, http.StatusTemporaryRedirect)
	})
	err := (&Client{}).Query(context.Background(), base, "com.atproto.server.getSession", "secret-token", nil, nil)
	var xe *Error
	if !errors.As(err, &xe) || xe.Status != http.StatusTemporaryRedirect {
		t.Fatalf("want a 307 error, got %v", err)
	}
	if leaked {
		t.Fatal("the bearer token followed the redirect")
	}
}

func TestTransportErrorsAreTransient(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		srv.Close()
		err := (&Client{}).Query(context.Background(), base, "x.y.z", "tok", nil, nil)
		if err == nil || !IsTransient(err) || strings.Contains(err.Error(), "tok") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		block := make(chan struct{})
		defer close(block)
		base := serve(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		})
		err := (&Client{Timeout: 50 * time.Millisecond}).Query(context.Background(), base, "x.y.z", "", nil, nil)
		if !errors.Is(err, context.DeadlineExceeded) || !IsTransient(err) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("cancelled is not transient", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := (&Client{}).Query(ctx, serve(t, func(http.ResponseWriter, *http.Request) {}), "x.y.z", "", nil, nil)
		if !errors.Is(err, context.Canceled) || IsTransient(err) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestEndsSession(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&Error{Status: 400, Name: "ExpiredToken"}, true},
		{&Error{Status: 400, Name: "InvalidToken"}, true},
		{&Error{Status: 401, Name: "AccountTakedown"}, true},
		{&Error{Status: 401, Name: "AuthenticationRequired"}, false},
		{&Error{Status: 500}, false},
		{&Error{Status: 429, Name: "RateLimitExceeded"}, false},
		{context.DeadlineExceeded, false},
		{nil, false},
	} {
		if got := EndsSession(c.err); got != c.want {
			t.Errorf("EndsSession(%v) = %v", c.err, got)
		}
	}
}

func TestRefreshDueScalesMarginToLifetime(t *testing.T) {
	iat := time.Unix(1_800_000_000, 0)
	cases := []struct {
		life, margin, elapsed time.Duration
		due                   bool
	}{
		{2 * time.Hour, 5 * time.Minute, 110 * time.Minute, false},
		{2 * time.Hour, 5 * time.Minute, 115 * time.Minute, true},
		{2 * time.Hour, 5 * time.Minute, 3 * time.Hour, true},
		// A 2-minute token with a 5-minute margin: refresh at 1m30s, not at once.
		{2 * time.Minute, 5 * time.Minute, 0, false},
		{2 * time.Minute, 5 * time.Minute, 89 * time.Second, false},
		{2 * time.Minute, 5 * time.Minute, 90 * time.Second, true},
	}
	for _, c := range cases {
		tok := accessToken(t, iat, c.life)
		if got := RefreshDue(tok, iat.Add(c.elapsed), c.margin); got != c.due {
			t.Errorf("life %v margin %v at %v: due %v, want %v", c.life, c.margin, c.elapsed, got, c.due)
		}
	}
	if RefreshDue("opaque-token", iat, time.Minute) {
		t.Error("an opaque token must not be due (the server's 401 decides)")
	}
}

// The version a client is given names it in the User-Agent of its calls
// and of its resolver's requests; none set is DefaultVersion.
func TestUserAgentNamesTheVersion(t *testing.T) {
	var uas []string
	base := serve(t, func(w http.ResponseWriter, r *http.Request) {
		uas = append(uas, r.Header.Get("User-Agent"))
		w.Write([]byte(`{"id":"did:web:x"}`))
	})
	c := &Client{Version: "1.2.3"}
	if err := c.Query(context.Background(), base, "com.atproto.server.describeServer", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Version: "1.2.3"}
	if _, err := r.get(context.Background(), base+"/.well-known/did.json"); err != nil {
		t.Fatal(err)
	}
	var none *Resolver
	if _, err := none.get(context.Background(), base+"/.well-known/did.json"); err != nil {
		t.Fatal(err)
	}
	want := []string{"skyswitch/1.2.3", "skyswitch/1.2.3", "skyswitch/" + DefaultVersion}
	if !slices.Equal(uas, want) {
		t.Errorf("User-Agents %q, want %q", uas, want)
	}
}
