//go:build amd64 || arm64

package report

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// Arguments of renameat2: its flag RENAME_EXCHANGE, and AT_FDCWD, which makes relative paths
// relative to the working directory.
const (
	renameExchange = 2
	atFDCWD        = -100
)

// exchange swaps the directories a and b atomically with renameat2(RENAME_EXCHANGE).
func exchange(a, b string) error {
	pa, err := syscall.BytePtrFromString(a)
	if err != nil {
		return err
	}
	pb, err := syscall.BytePtrFromString(b)
	if err != nil {
		return err
	}
	at := atFDCWD
	_, _, errno := syscall.Syscall6(sysRenameat2, uintptr(at), uintptr(unsafe.Pointer(pa)), uintptr(at), uintptr(unsafe.Pointer(pb)), renameExchange, 0)
	switch {
	case errno == 0:
		return nil
	case errno == syscall.ENOSYS || errno == syscall.EINVAL:
		// The kernel has no renameat2, or the file system cannot exchange.
		return &os.LinkError{Op: "renameat2", Old: a, New: b, Err: errors.Join(errno, errExchangeUnsupported)}
	default:
		return &os.LinkError{Op: "renameat2", Old: a, New: b, Err: errno}
	}
}
