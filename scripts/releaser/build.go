package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// build compiles skyswitch for t into its own folder under work and
// returns the binary's path.
func (r release) build(t target, work string) (string, error) {
	name := "skyswitch"
	if t.goos == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(work, t.goos+"_"+t.goarch, name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+r.version, "-o", bin, ".")
	cmd.Dir = r.root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.goos, "GOARCH="+t.goarch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "building %s/%s\n", t.goos, t.goarch)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build for %s/%s: %w", t.goos, t.goarch, err)
	}
	return bin, nil
}

// extras are the files the .deb holds beside the binary, which the binary
// writes itself: the manual page and the shells' completion.
type extras struct {
	man, bash, zsh, fish []byte
}

// extras runs a binary built for this machine to get them.
func (r release) extras(work string) (*extras, error) {
	bin, err := r.build(target{runtime.GOOS, runtime.GOARCH}, filepath.Join(work, "host"))
	if err != nil {
		return nil, err
	}
	var x extras
	for _, o := range []struct {
		dst  *[]byte
		args []string
	}{
		{&x.man, []string{"man"}},
		{&x.bash, []string{"completion", "bash"}},
		{&x.zsh, []string{"completion", "zsh"}},
		{&x.fish, []string{"completion", "fish"}},
	} {
		cmd := exec.Command(bin, o.args...)
		cmd.Env = []string{"HOME=" + work, "NO_COLOR=1"}
		cmd.Stderr = os.Stderr
		if *o.dst, err = cmd.Output(); err != nil {
			return nil, fmt.Errorf("skyswitch %v: %w", o.args, err)
		}
	}
	return &x, nil
}
