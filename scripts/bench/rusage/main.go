// Command rusage runs one command and appends, when it exits, exactly what that process cost as one
// JSON line to a file: its user and system CPU time and its peak resident set size, as the kernel
// reports them to the parent that waits for it (wait4's rusage), and the wall time from start to exit.
// The benchmark (scripts/bench/) puts it in front of every load generator it measures, so nothing is
// sampled and nothing is missed at the end of a run.
//
//	rusage <out-file> -- <command> [args...]
//
// Standard input, output and error are the command's own; SIGINT and SIGTERM are passed on; the exit
// code is the command's (128 + signal when a signal ended it).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

type record struct {
	Args        []string `json:"args"`
	ExitCode    int      `json:"exitCode"`
	WallMs      float64  `json:"wallMs"`
	UserSeconds float64  `json:"userSeconds"`
	SysSeconds  float64  `json:"sysSeconds"`
	MaxRssKb    int64    `json:"maxRssKb"`
}

func seconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func main() {
	if len(os.Args) < 4 || os.Args[2] != "--" {
		fmt.Fprintln(os.Stderr, "usage: rusage <out-file> -- <command> [args...]")
		os.Exit(64)
	}
	outPath, args := os.Args[1], os.Args[3:]
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	started := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(127)
	}
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	wall := time.Since(started)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(127)
	}
	state := cmd.ProcessState
	code := state.ExitCode()
	if status, ok := state.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		code = 128 + int(status.Signal())
	}
	rec := record{Args: args[1:], ExitCode: code, WallMs: float64(wall.Microseconds()) / 1000}
	if usage, ok := state.SysUsage().(*syscall.Rusage); ok {
		rec.UserSeconds, rec.SysSeconds, rec.MaxRssKb = seconds(usage.Utime), seconds(usage.Stime), usage.Maxrss
	}
	line, _ := json.Marshal(rec)
	file, openErr := os.OpenFile(outPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if openErr == nil {
		_, openErr = file.Write(append(line, '\n'))
		_ = file.Close()
	}
	if openErr != nil {
		fmt.Fprintln(os.Stderr, "rusage:", openErr)
	}
	os.Exit(code)
}
