package cli

import (
	"bytes"
	"context"
	"testing"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

// A command's run function is called as it is, without a process or a
// command line: options in, output on the invocation's streams, an error whose
// exit code Run would use.
func TestRunFunctionsDirectly(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, fakepds.Options{})
	alice := e.addAccount("alice.test")
	e.login("alice.test")
	var stdout, stderr bytes.Buffer
	run := &invocation{app: &App{Now: e.clock.Now}, stdout: &stdout, stderr: &stderr,
		mgr: &accounts.Manager{Store: storage.Open(e.path), Client: e.client, Now: e.clock.Now}}
	ctx := context.Background()

	if err := runEnv(ctx, envOptions{account: "@alice.test", shell: "fish"}, run); err != nil {
		t.Fatal(err)
	}
	if want := "set -gx SKYSWITCH_ACCOUNT '" + alice.DID + "'  # @alice.test\n"; stdout.String() != want {
		t.Errorf("runEnv printed %q, want %q", stdout.String(), want)
	}
	stdout.Reset()
	if err := runList(ctx, listOptions{handles: true}, run); err != nil || stdout.String() != "alice.test\n" {
		t.Errorf("runList --handles: %q, %v", stdout.String(), err)
	}
	stdout.Reset()
	err := runStatus(ctx, statusOptions{account: "nobody.test"}, run)
	if err == nil || exitCode(err) != exitNoSession || stdout.Len() != 0 {
		t.Errorf("runStatus of an unknown account: %v (exit %d), stdout %q", err, exitCode(err), stdout.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
}
