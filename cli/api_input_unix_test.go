//go:build unix

package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO no one writes to blocks in open, where no signal ends it:
// -F key=@fifo and --input fifo end when the run is interrupted.
func TestAPIInputFIFOInterrupted(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	t.Cleanup(func() {
		// Lets the reads left behind end.
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	for _, fl := range []apiFlags{
		{typedFields: []string{"text=@" + fifo}},
		{input: fifo, method: "POST"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := ended(t, startAPI(ctx, t, nil, "com.example.echo", fl))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%+v: %v, want the interruption", fl, err)
		}
	}
}
