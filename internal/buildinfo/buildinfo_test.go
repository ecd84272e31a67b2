package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	t.Parallel()
	i := Read()
	if i.Version == "" {
		t.Error("Version is empty; want the module's version or (devel)")
	}
	if i.Go != runtime.Version() {
		t.Errorf("Go = %q, want %q", i.Go, runtime.Version())
	}
	if s := i.String(); !strings.HasPrefix(s, i.Version+" (") || !strings.Contains(s, i.Go) {
		t.Errorf("String() = %q: want the version, then the revision and toolchain in parentheses", s)
	}
}
