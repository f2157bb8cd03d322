package main

import (
	"os"
	"syscall"

	"bulwark.dev/engine/runner"
)

// initialParent is read as early as Go allows, before main.
var initialParent = os.Getppid()

// pdeathsigErr: the parent-death signal is per thread in Linux, and the kernel sends it to the
// thread group leader, so it is set in init, which Go runs on the main thread.
var pdeathsigErr syscall.Errno

func init() {
	const prSetPdeathsig = 1
	_, _, pdeathsigErr = syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, uintptr(syscall.SIGKILL), 0)
}

// watchParent asks the kernel to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG), and
// reports the parent as gone when it died before that took effect: the process has then been
// reparented (to init or a subreaper) since it started. A parent that died before the Go runtime
// started cannot be told from a launch by init, so it is not caught.
func watchParent() (int, bool) {
	if pdeathsigErr != 0 {
		return 0, false
	}
	if os.Getppid() != initialParent {
		return runner.ExitStdinClosed, true
	}
	return 0, false
}

func physicalMemory() int64 {
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err != nil {
		return 0
	}
	return int64(info.Totalram) * int64(info.Unit)
}
