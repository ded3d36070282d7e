//go:build !darwin && !windows

package oskeyring

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"
)

// With no session bus to find, the keyring is unavailable at once: godbus
// is never asked, so it never starts a bus (and daemons) of its own.
func TestNoSessionBusIsNoKeyring(t *testing.T) {
	runtime := t.TempDir()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", runtime)
	k := New()
	if _, err := k.Get(context.Background(), "skyswitch-test", "nobody"); !errors.Is(err, errNoBus) {
		t.Fatalf("Get with no bus: %v, want errNoBus", err)
	}
	if err := k.Set(context.Background(), "skyswitch-test", "nobody", "x"); !errors.Is(err, errNoBus) {
		t.Fatalf("Set with no bus: %v, want errNoBus", err)
	}
	// The usual socket of a running session bus makes it reachable.
	l, err := net.Listen("unix", filepath.Join(runtime, "bus"))
	if err != nil {
		t.Skipf("cannot make a unix socket here: %v", err)
	}
	defer l.Close()
	if err := reachable(); err != nil {
		t.Fatalf("with $XDG_RUNTIME_DIR/bus: %v", err)
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	if err := reachable(); err != nil {
		t.Fatalf("with DBUS_SESSION_BUS_ADDRESS set: %v", err)
	}
}
