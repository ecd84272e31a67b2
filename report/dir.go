package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReportMarker is the file whose presence marks a directory as a report that WriteDir may replace.
const ReportMarker = "results.json"

// reportMarkers are the files that mark a report: a run's (ReportMarker), a sweep's, or a shard's
// partial report.
var reportMarkers = []string{ReportMarker, "sweep.json", "partial.json"}

// WriteDir writes a report directory whole or not at all. The files (names are slash-separated
// paths inside dir) are written into a temporary sibling of dir, which then takes dir's place; an
// existing report at dir is moved aside first and removed only once the new one is in. On any error
// nothing of the new report remains and an existing report is untouched. WriteDir refuses to
// replace a directory that is neither empty nor a report (one holding ReportMarker, sweep.json
// or partial.json).
func WriteDir(dir string, files map[string][]byte) (err error) {
	dir = filepath.Clean(dir)
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	tmp, err := os.MkdirTemp(parent, ".idcsim-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			return fmt.Errorf("report file name %q is not a path inside the report", name)
		}
		path := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	return replaceDir(tmp, dir)
}

// checkReplaceable says whether dir may be replaced: it is absent, empty or a report.
func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return fmt.Errorf("%s exists and is not a directory", dir)
		}
		return err
	case len(entries) == 0:
		return nil
	}
	for _, m := range reportMarkers {
		if fi, err := os.Stat(filepath.Join(dir, m)); err == nil && fi.Mode().IsRegular() {
			return nil
		}
	}
	return fmt.Errorf("%s is not empty and holds no %s: refusing to replace it with a report", dir, strings.Join(reportMarkers, ", "))
}

// replaceDir renames src to dst, moving an existing dst aside first and removing it afterwards.
func replaceDir(src, dst string) error {
	if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
		return os.Rename(src, dst)
	}
	trash, err := os.MkdirTemp(filepath.Dir(dst), ".idcsim-old-*")
	if err != nil {
		return err
	}
	old := filepath.Join(trash, filepath.Base(dst))
	if err := os.Rename(dst, old); err != nil {
		os.Remove(trash)
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		if rerr := os.Rename(old, dst); rerr != nil {
			return fmt.Errorf("%w; the previous report is kept at %s", err, old)
		}
		os.Remove(trash)
		return err
	}
	return os.RemoveAll(trash)
}
