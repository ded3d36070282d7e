//go:build !darwin && !windows

package oskeyring

import (
	"errors"
	"os"
	"path/filepath"
)

// errNoBus: with no session bus to find, godbus would start one of its own
// (dbus-launch), which outlives skyswitch together with any keyring daemon
// it activates. A keyring that is not already running is no keyring.
var errNoBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist), so no Secret Service to ask")

// reachable reports whether the Secret Service can be asked without
// starting a bus: the session bus is named, or at its usual socket.
func reachable() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if fi, err := os.Stat(filepath.Join(dir, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return nil
		}
	}
	return errNoBus
}
