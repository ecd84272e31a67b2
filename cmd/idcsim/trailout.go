package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"idcsim/sim"
	"idcsim/trail"
)

// checkTrailOut checks run's --trail DIR before the run: DIR must be new or empty, and the run
// must include replication 0 whole (no --shard, no --replay).
func (c *command) checkTrailOut(dir string, partial bool, stderr io.Writer) (int, bool) {
	if partial {
		return c.usageError(stderr, "--trail writes replication 0's activity: it cannot be given with --shard or --replay"), false
	}
	if dir == "" {
		return c.usageError(stderr, "--trail: want a directory"), false
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return c.usageError(stderr, "--trail %s: the directory exists and is not empty; give a new one", dir), false
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return c.usageError(stderr, "--trail %s: %v", dir, err), false
	}
	return 0, true
}

// writeTrailOut writes the records into a new directory beside dir (making dir's parent if
// need be), then renames it to dir
// (removing dir first when it is an empty directory): dir holds all the records or none.
func writeTrailOut(dir string, sc *sim.Scenario, audit []sim.Audit) error {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".idcsim-trail-*")
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := trail.Write(tmp, sc, audit); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		os.RemoveAll(tmp)
		return err // not empty any more, or not removable: left as it is
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}
