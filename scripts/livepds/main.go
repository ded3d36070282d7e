// Command livepds runs the fake PDS on loopback with N accounts logged in
// to an accounts file, for measuring the switcher with live countdowns
// (scripts/live-load: bytes per second, idle CPU): their 2 h access tokens
// count down every second, as the reference PDS's do. It prints "ready"
// once the file is written and serves until interrupted.
//
//	go run ./scripts/livepds -n 10 -o "$XDG_CONFIG_HOME/skyswitch/accounts.json"
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/skyswitch/skyswitch/accounts"
	"github.com/skyswitch/skyswitch/auth"
	"github.com/skyswitch/skyswitch/internal/fakepds"
	"github.com/skyswitch/skyswitch/storage"
)

func main() {
	n := flag.Int("n", 10, "accounts to log in")
	out := flag.String("o", "", "accounts file to write (required)")
	flag.Parse()
	if *out == "" || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := fakepds.New(fakepds.Options{IncludeDIDDoc: true})
	defer srv.Close()
	mgr := &accounts.Manager{Store: storage.Open(*out), Client: &auth.Client{Timeout: 5 * time.Second}}
	for i := range *n {
		handle := fmt.Sprintf("live%02d.example.test", i)
		srv.AddAccount(fakepds.Account{Handle: handle, Password: "live-pass-word", EmailConfirmed: true})
		in := auth.LoginInput{Service: srv.URL(), Identifier: handle, Password: "live-pass-word"}
		if _, err := mgr.Login(ctx, in); err != nil {
			fmt.Fprintln(os.Stderr, "livepds:", err)
			os.Exit(1)
		}
	}
	fmt.Println("ready")
	<-ctx.Done()
}
