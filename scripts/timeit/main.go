// Command timeit runs a command N times, one after another, and prints the wall-clock time of each run in
// milliseconds (one a line). Standard output goes to /dev/null, or with
// -expect is captured and must be exactly that; any run that exits non-zero
// or prints something else fails the whole measurement.
//
//	go run ./scripts/timeit -n 200 -- skyswitch token
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"
)

func main() {
	n := flag.Int("n", 200, "runs")
	warmup := flag.Int("warmup", 10, "untimed runs first")
	expect := flag.String("expect", "", "exact standard output every run must print")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: timeit [-n N] [-warmup N] [-expect OUT] -- command [args]")
		os.Exit(2)
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "timeit:", err)
		os.Exit(1)
	}
	var out bytes.Buffer
	for i := range *warmup + *n {
		out.Reset()
		cmd := exec.Command(path, args[1:]...)
		if *expect != "" {
			cmd.Stdout = &out
		}
		cmd.Stderr = os.Stderr
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			fmt.Fprintf(os.Stderr, "timeit: run %d of %v: %v\n", i+1, args, err)
			os.Exit(1)
		}
		if *expect != "" && out.String() != *expect {
			fmt.Fprintf(os.Stderr, "timeit: run %d of %v printed something unexpected (%d bytes)\n", i+1, args, out.Len())
			os.Exit(1)
		}
		if i >= *warmup {
			fmt.Printf("%.3f\n", float64(d.Microseconds())/1000)
		}
	}
}
