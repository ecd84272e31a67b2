package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"idcsim/report"
	"idcsim/scenarios"
	"idcsim/shard"
)

// envMainArgs makes the test binary run idcsim itself, with the arguments it holds (separated by
// newlines), so that a test can signal a real process.
const envMainArgs = "IDCSIM_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(envMainArgs); ok {
		os.Exit(run(strings.Split(args, "\n"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// Exit 2 is bad input or usage, exit 3 a failure of the machine or an interrupt (SPEC.md).
func TestExitStatus(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{context.Canceled, exitInternal},
		{fmt.Errorf("running: %w", context.Canceled), exitInternal},
		{&fs.PathError{Op: "open", Path: "x.yaml", Err: syscall.ENOENT}, exitUsage},
		{&fs.PathError{Op: "read", Path: "dir", Err: syscall.EISDIR}, exitUsage},
		{&fs.PathError{Op: "open", Path: "f/x.yaml", Err: syscall.ENOTDIR}, exitUsage},
		{&fs.PathError{Op: "read", Path: "x.yaml", Err: syscall.EIO}, exitInternal},
		{&fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}, exitInternal},
		{scenarios.ErrorList{{File: "x.yaml", Line: 1, Col: 1, Msg: "bad"}}, exitUsage},
		{errors.New("shard 1 is missing"), exitUsage},
		{&shard.Error{Err: errors.New("s1/partial.json: $.seed: 7, but ...")}, exitUsage},
		{fmt.Errorf("s1: %w", &fs.PathError{Op: "open", Path: "s1/scenario.yaml", Err: syscall.ENOENT}), exitUsage},
		{errors.Join(&shard.Error{Err: errors.New("bad")}, &fs.PathError{Op: "read", Path: "s2", Err: syscall.EIO}), exitInternal},
		{&internalError{errors.New("making the report: template")}, exitInternal},
	} {
		if got := exitStatus(c.err); got != c.want {
			t.Errorf("exitStatus(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// A failure to write an output exits 3, unless idcsim refused to replace what is in the way or
// the path names no usable place (exit 2).
func TestFailWrite(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("out: %w", report.ErrNotReplaceable), exitUsage},
		{&fs.PathError{Op: "mkdir", Path: "no/such/out", Err: syscall.ENOENT}, exitUsage},
		{&fs.PathError{Op: "write", Path: "out/report.html", Err: syscall.ENOSPC}, exitInternal},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EIO}, exitInternal},
		{errors.New("it changed while the new report was written"), exitInternal},
	} {
		if got := runCommand.failWrite(io.Discard, "writing", c.err); got != c.want {
			t.Errorf("failWrite(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestReadFailureExits3(t *testing.T) {
	dir := t.TempDir()
	// a directory where a scenario file is wanted is the user's mistake
	code, _, stderr := idcsim(t, "validate", dir)
	if code != exitUsage || !strings.Contains(stderr, "is a directory") {
		t.Errorf("validate DIR: exit %d, want 2:\n%s", code, stderr)
	}
	if runtime.GOOS != "linux" {
		t.Skip("an input that fails to read needs Linux's /proc/self/mem")
	}
	// /proc/self/mem opens, but reading it from offset 0 fails with EIO: the machine failed,
	// not the input
	out := filepath.Join(dir, "out")
	code, _, stderr = idcsim(t, "run", "/proc/self/mem", "--out", out)
	if code != exitInternal {
		t.Errorf("run /proc/self/mem: exit %d, want 3:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a report was written")
	}
}

// An interrupt ends a run with exit 3 and writes no report.
func TestInterruptExits3(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	out := filepath.Join(t.TempDir(), "report")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envMainArgs+"="+strings.Join([]string{"run", "example:default",
		"--replications", "5000", "--workers", "1", "--progress", "always", "--out", out}, "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The progress line appears after a second of running: by then the handler is in place.
	r := bufio.NewReader(stderr)
	var seen strings.Builder
	for !strings.Contains(seen.String(), "replications") {
		b, err := r.ReadByte()
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("no progress line: %v\n%s", err, seen.String())
		}
		seen.WriteByte(b)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		rest <- string(b)
	}()
	// Wait closes the pipe: it is called only once everything written to it has been read.
	var tail string
	select {
	case tail = <-rest:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the run did not stop within 60 s of the interrupt")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInternal {
		t.Errorf("exit %v, want status 3", err)
	}
	if !strings.Contains(tail, "idcsim run: interrupted; nothing was written") {
		t.Errorf("stderr:\n%s%s", seen.String(), tail)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a report was written")
	}
}
