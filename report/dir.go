package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNotReplaceable is what the errors of WriteDir, StageFile and WriteFile wrap when the path
// they are to write holds something that idcsim cannot prove it wrote, or a symbolic link: the
// caller's to move, not idcsim's to replace. Their other errors are failures to read or write.
var ErrNotReplaceable = errors.New("not replaceable")

// refusal is an error wrapping ErrNotReplaceable.
type refusal struct{ msg string }

func (e *refusal) Error() string { return e.msg }
func (e *refusal) Unwrap() error { return ErrNotReplaceable }

// refuseDir returns the refusal to replace the directory dir for the problems found in it.
func refuseDir(dir string, problems ...string) error {
	return &refusal{fmt.Sprintf("idcsim replaces only a report it can prove it wrote, and not %s:\n\t%s\nchoose another --out, or move or remove %s yourself",
		dir, strings.Join(problems, "\n\t"), dir)}
}

// Prefixes of the temporary names, in the parent directory, of a report being written and of the
// previous report being moved aside; the name of the report directory and random digits follow.
const (
	tmpPrefix = ".idcsim-tmp."
	oldPrefix = ".idcsim-old."
)

// maxLeftovers bounds the leftovers of interrupted writes that WriteDir looks at.
const maxLeftovers = 64

// testHook, when set by a test, is called between the steps of writing with the step's name, so
// that a test can stop the process at each.
var testHook func(step string)

func step(name string) {
	if testHook != nil {
		testHook(name)
	}
}

// exchangeDirs swaps two directories atomically. Its error wraps errExchangeUnsupported when the
// system or the file system cannot; tests set it to force the fallback.
var exchangeDirs = exchange

// errExchangeUnsupported says that the directories could not be swapped atomically here.
var errExchangeUnsupported = errors.New("atomic exchange not supported")

// CheckDir says, before any work is done, whether WriteDir could replace dir: nil when dir is
// absent, an empty directory or a report idcsim wrote, unchanged; else WriteDir's refusal, which
// wraps ErrNotReplaceable, or the error met reading dir. WriteDir checks again when it writes.
func CheckDir(dir string) error {
	dir = filepath.Clean(dir)
	if err := checkDirName(dir); err != nil {
		return err
	}
	_, _, err := checkReplaceable(dir)
	return err
}

// checkDirName refuses a report directory named ., .. or a root.
func checkDirName(dir string) error {
	base := filepath.Base(dir)
	if base == "." || base == ".." || base == string(filepath.Separator) || filepath.VolumeName(dir)+string(filepath.Separator) == dir {
		return &refusal{fmt.Sprintf("%s: name the report directory itself, not . or .. or a root; choose another --out", dir)}
	}
	return nil
}

// WriteDir writes the files of a report of the kind (KindRun, KindSweep, KindPartial or KindTrail) into the
// directory dir, whole or not at all, and returns warnings about leftovers of interrupted writes.
// The files' names are clean slash-separated paths inside dir.
//
// WriteDir replaces dir only when it can prove that idcsim wrote it: dir is absent, or an empty
// directory, or it holds a valid manifest (.idcsim-manifest.json) and exactly the files it lists,
// each with the listed size and SHA-256 digest, the directories they need, and nothing else. Any
// other dir (a symbolic link, a file, a directory with files of someone else's, or a report whose
// files were changed) is refused with an error wrapping ErrNotReplaceable that says what is in the
// way; other errors are failures to read or write, and leave dir as it was.
//
// The protocol, in dir's parent directory P, for dir's name B:
//
//  1. Leftovers of interrupted writes of dir, named .idcsim-tmp.B.N and .idcsim-old.B.N (N
//     random digits), are looked at first. When dir is missing and one .idcsim-old.B.N holds a
//     complete report (a crash between the two renames of step 5's fallback), it is renamed back
//     to dir. The others are removed when WriteDir can prove they are its own (each holds a
//     manifest or a pending list, and nothing they do not list), removing the manifest or list
//     last; anything else under such a name is left alone and named in a warning.
//  2. dir is checked as above.
//  3. The new report is written into a new directory .idcsim-tmp.B.N: first a pending list
//     (.idcsim-pending.json) naming every file it will hold, then the files, then the manifest;
//     then the pending list is removed. Every file is synced to disk.
//  4. When dir is absent, the new directory is renamed to dir.
//  5. Otherwise, on Linux, renameat2 with RENAME_EXCHANGE swaps the new directory and dir in one
//     step, and the old report, now at the temporary name, is removed as in step 1. Where the
//     system or file system cannot swap directories, dir is renamed to .idcsim-old.B.N, the new
//     directory to dir, and the old report is removed.
//
// A process killed at any point thus leaves at dir the old report or the new one, complete, or
// with the fallback of step 5, between its renames, no dir and the old report at .idcsim-old.B.N,
// which the next WriteDir of dir puts back before anything else. Two processes must not write
// the same dir at once.
func WriteDir(dir, kind string, files map[string][]byte) (warnings []string, err error) {
	dir = filepath.Clean(dir)
	if !slices.Contains(kinds, kind) {
		return nil, fmt.Errorf("report kind %q: want one of %s", kind, strings.Join(kinds, ", "))
	}
	names := slices.Sorted(maps.Keys(files))
	if err := checkTreeNames(names, false); err != nil {
		return nil, fmt.Errorf("writing a report: %v", err)
	}
	mdata, err := encodeBookkeeping(newManifest(kind, names, files))
	if err != nil {
		return nil, err
	}
	all := append([]string{manifestName, pendingName}, names...)
	slices.Sort(all)
	pdata, err := encodeBookkeeping(&pendingList{Tool: toolName, Names: all})
	if err != nil {
		return nil, err
	}
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := checkDirName(dir); err != nil {
		return nil, err
	}

	warnings, err = recoverLeftovers(parent, base, dir)
	if err != nil {
		return warnings, err
	}
	exists, empty, err := checkReplaceable(dir)
	if err != nil {
		return warnings, err
	}

	tmp, err := os.MkdirTemp(parent, tmpPrefix+base+".*")
	if err != nil {
		return warnings, err
	}
	if err := fillDir(tmp, names, files, pdata, mdata); err != nil {
		removeListed(tmp, all)
		return warnings, err
	}
	old, err := swapIn(tmp, dir, exists)
	if err != nil {
		removeListed(tmp, all) // every way swapIn fails leaves the new report at tmp
		return warnings, err
	}
	if err := syncDir(parent); err != nil {
		warnings = append(warnings, fmt.Sprintf("%s: %v", parent, err))
	}
	if old != "" {
		if err := removeOld(old, empty); err != nil {
			warnings = append(warnings, fmt.Sprintf("the previous report, now at %s, was not removed: %v; remove it yourself", old, err))
		}
	}
	return warnings, nil
}

// fillDir writes the new report into the temporary directory tmp (step 3 of WriteDir): the
// pending list, the files, the manifest; then it removes the pending list and syncs.
func fillDir(tmp string, names []string, files map[string][]byte, pdata, mdata []byte) error {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	step("created")
	if err := writeSynced(filepath.Join(tmp, pendingName), pdata); err != nil {
		return err
	}
	step("pending list written")
	for _, name := range names {
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeSynced(p, files[name]); err != nil {
			return err
		}
		step("wrote " + name)
	}
	if err := writeSynced(filepath.Join(tmp, manifestName), mdata); err != nil {
		return err
	}
	step("manifest written")
	if err := os.Remove(filepath.Join(tmp, pendingName)); err != nil {
		return err
	}
	step("pending list removed")
	return syncDirs(tmp, names)
}

// swapIn puts the new report at tmp in dir's place (steps 4 and 5 of WriteDir) and returns where
// the previous report is now, "" when there was none. When it fails, the new report is still at
// tmp.
func swapIn(tmp, dir string, exists bool) (old string, err error) {
	if !exists {
		if err := os.Rename(tmp, dir); err != nil {
			return "", err
		}
		step("renamed")
		return "", nil
	}
	err = exchangeDirs(tmp, dir)
	if err != nil && !errors.Is(err, errExchangeUnsupported) {
		return "", err
	}
	if err == nil {
		step("exchanged")
		return tmp, nil
	}
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	old = filepath.Join(parent, oldPrefix+base+"."+randomDigits())
	if _, err := os.Lstat(old); !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s is in the way of moving the previous report aside", old)
	}
	if err := os.Rename(dir, old); err != nil {
		return "", err
	}
	step("moved aside")
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return "", fmt.Errorf("%w; the previous report is at %s, which the next idcsim writing %s puts back", err, old, dir)
		}
		return "", err
	}
	step("renamed")
	return old, nil
}

// removeOld removes the previous report, or empty directory, once moved aside, after checking it
// again: it may have changed while the new report was written.
func removeOld(old string, empty bool) error {
	if empty {
		return os.Remove(old)
	}
	names, problems, err := verifyReport(old)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("it changed while the new report was written: %s", strings.Join(problems, "; "))
	}
	return removeListed(old, append(names, manifestName))
}

// checkReplaceable says whether dir may be replaced (with a refusal when not), whether it exists,
// and whether it is an empty directory.
func checkReplaceable(dir string) (exists, empty bool, err error) {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, false, nil
	case err != nil:
		return false, false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, false, &refusal{fmt.Sprintf("%s is a symbolic link: idcsim writes a report only into a directory of its own, never through a link; choose another --out, or remove the link yourself", dir)}
	case !fi.IsDir():
		return false, false, refuseDir(dir, dir+" exists and is not a directory")
	}
	f, err := os.Open(dir)
	if err != nil {
		return false, false, err
	}
	_, err = f.ReadDir(1)
	f.Close()
	if err == io.EOF {
		return true, true, nil
	}
	if err != nil {
		return false, false, err
	}
	_, problems, err := verifyReport(dir)
	if err != nil {
		return false, false, err
	}
	if len(problems) > 0 {
		return false, false, refuseDir(dir, problems...)
	}
	return true, false, nil
}

// recoverLeftovers puts the previous report back at a missing dir and removes the leftovers of
// interrupted writes that are WriteDir's own (step 1 of WriteDir's protocol).
func recoverLeftovers(parent, base, dir string) ([]string, error) {
	leftovers, warnings, err := findLeftovers(parent, base)
	if err != nil || len(leftovers) == 0 {
		return warnings, err
	}
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		var olds []string
		for _, l := range leftovers {
			if !strings.HasPrefix(filepath.Base(l), oldPrefix) {
				continue
			}
			if fi, err := os.Lstat(l); err != nil || !fi.IsDir() {
				continue
			}
			if _, problems, err := verifyReport(l); err == nil && len(problems) == 0 {
				olds = append(olds, l)
			}
		}
		switch len(olds) {
		case 0:
		case 1:
			if err := os.Rename(olds[0], dir); err != nil {
				return warnings, fmt.Errorf("putting back the previous report from %s: %v", olds[0], err)
			}
			step("put back")
			warnings = append(warnings, fmt.Sprintf("%s was missing: put back the previous report from %s, where an interrupted idcsim had left it", dir, olds[0]))
			leftovers = slices.DeleteFunc(leftovers, func(l string) bool { return l == olds[0] })
		default:
			warnings = append(warnings, fmt.Sprintf("%s is missing, and interrupted idcsim runs left several previous reports: %s; left alone: move the one you want to %s",
				dir, strings.Join(olds, ", "), dir))
			leftovers = slices.DeleteFunc(leftovers, func(l string) bool { return slices.Contains(olds, l) })
		}
	}
	for _, l := range leftovers {
		names, why, err := ownLeftover(l)
		if err == nil && why == "" {
			err = removeListed(l, names)
		}
		switch {
		case err != nil:
			warnings = append(warnings, fmt.Sprintf("%s, left by an interrupted idcsim, could not be checked or removed: %v", l, err))
		case why != "":
			warnings = append(warnings, fmt.Sprintf("%s bears the name of a leftover of idcsim, but %s: left alone; remove it yourself", l, why))
		}
	}
	return warnings, nil
}

// findLeftovers returns the paths in parent of the leftovers of interrupted writes of the file
// or directory base: .idcsim-tmp.BASE.N and .idcsim-old.BASE.N for digits N. It looks at
// maxLeftovers of them at most, with a warning when there are more.
func findLeftovers(parent, base string) (paths, warnings []string, err error) {
	f, err := os.Open(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	more := false
	for {
		names, err := f.Readdirnames(256)
		for _, name := range names {
			if isLeftoverName(name, base) {
				if len(paths) == maxLeftovers {
					more = true
					continue
				}
				paths = append(paths, filepath.Join(parent, name))
			}
		}
		if err != nil || len(names) == 0 {
			break
		}
	}
	slices.Sort(paths)
	if more {
		warnings = append(warnings, fmt.Sprintf("%s holds more than %d leftovers of interrupted idcsim runs writing %s: only %d looked at",
			parent, maxLeftovers, base, maxLeftovers))
	}
	return paths, warnings, nil
}

// isLeftoverName says whether name is that of a leftover of an interrupted write of base.
func isLeftoverName(name, base string) bool {
	for _, prefix := range []string{tmpPrefix, oldPrefix} {
		if n, ok := strings.CutPrefix(name, prefix+base+"."); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			return true
		}
	}
	return false
}

// ownLeftover says whether dir is a leftover of WriteDir's own: a directory holding a manifest or
// a pending list, and nothing they do not list, or nothing at all. It returns the names listed,
// or why dir is not one.
func ownLeftover(dir string) (names []string, why string, err error) {
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, "", err
	}
	if !fi.IsDir() {
		return nil, "it is not a directory", nil
	}
	for _, b := range []string{manifestName, pendingName} {
		data, reason, err := readBookkeeping(dir, b)
		if err != nil {
			return nil, "", err
		}
		if reason != "" || data == nil {
			continue
		}
		if b == manifestName {
			if m, err := parseManifest(data); err == nil {
				names = m.names()
				break
			}
		} else if p, err := parsePending(data); err == nil {
			names = p.Names
			break
		}
	}
	if names != nil {
		// The bookkeeping files are the leftover's own, listed or not.
		for _, b := range []string{manifestName, pendingName} {
			if !slices.Contains(names, b) {
				names = append(names, b)
			}
		}
	}
	listed := map[string]bool{}
	for _, n := range names {
		listed[n] = true
	}
	dirs := neededDirs(names)
	entries, err := listTree(dir, func(name string) bool { return dirs[name] })
	if errors.Is(err, errTooManyEntries) {
		return nil, fmt.Sprintf("it holds more than %d entries", maxReportEntries), nil
	}
	if err != nil {
		return nil, "", err
	}
	for _, e := range entries {
		if e.typ.IsDir() && dirs[e.name] || e.typ.IsRegular() && listed[e.name] {
			continue
		}
		if names == nil {
			return nil, fmt.Sprintf("it holds %s and no manifest or pending list of idcsim's", e.name), nil
		}
		return nil, fmt.Sprintf("it holds %s, which its manifest or pending list does not name", e.name), nil
	}
	return names, "", nil
}

// removeListed removes the directory dir, which holds no more than the files named and the
// directories they need: the files first, then the directories deepest first, then the
// bookkeeping files, and dir last, so that until dir is gone what remains is provably WriteDir's.
// It stops at the first failure.
func removeListed(dir string, names []string) error {
	var files, bookkeeping []string
	for _, n := range names {
		if isBookkeeping(n) {
			bookkeeping = append(bookkeeping, n)
		} else {
			files = append(files, n)
		}
	}
	dirs := slices.Collect(maps.Keys(neededDirs(names)))
	// Deepest first; the order among equals is the name's, for the same steps every time.
	slices.SortFunc(dirs, func(a, b string) int {
		if c := strings.Count(b, "/") - strings.Count(a, "/"); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	slices.Sort(bookkeeping)
	slices.Reverse(bookkeeping) // the pending list before the manifest
	for _, n := range slices.Concat(files, dirs, bookkeeping) {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.Remove(p); err != nil {
			if _, lerr := os.Lstat(p); lerr == nil {
				return err
			}
			continue // never there
		}
		step("removed " + n)
	}
	return os.Remove(dir)
}

// writeSynced writes data to a new file and syncs it to disk.
func writeSynced(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDirs syncs the directory root and the directories the named files need.
func syncDirs(root string, names []string) error {
	for d := range neededDirs(names) {
		if err := syncDir(filepath.Join(root, filepath.FromSlash(d))); err != nil {
			return err
		}
	}
	return syncDir(root)
}

// syncDir syncs a directory's entries to disk, where the system can.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

// randomDigits returns random decimal digits for a temporary name.
func randomDigits() string { return strconv.FormatUint(uint64(rand.Uint32()), 10) }
