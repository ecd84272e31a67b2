// Package buildinfo says which build of idcsim is running: its module version and VCS revision.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// Info identifies a build. Two builds with the same Info are taken to compute the same results.
type Info struct {
	// Version is the module's version ("(devel)" for a build from a checkout).
	Version string `json:"version"`
	// Revision is the VCS revision the build was made from, with "+dirty" when the work tree had
	// changes; empty when the build carries none (go run, go test).
	Revision string `json:"revision"`
	// Go is the toolchain that built it.
	Go string `json:"go"`
}

// String gives the build as "VERSION (REVISION, GO)".
func (i Info) String() string {
	rev := i.Revision
	if rev == "" {
		rev = "no revision"
	}
	return i.Version + " (" + rev + ", " + i.Go + ")"
}

var (
	once sync.Once
	info Info
)

// Read returns the running build's Info.
func Read() Info {
	once.Do(func() {
		info = Info{Version: "(devel)", Go: runtime.Version()}
		bi, ok := debug.ReadBuildInfo()
		if !ok {
			return
		}
		if v := bi.Main.Version; v != "" {
			info.Version = v
		}
		var modified bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && info.Revision != "" {
			info.Revision += "+dirty"
		}
	})
	return info
}
