package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxOwnFileBytes bounds what is read of an existing file to tell whether idcsim wrote it.
const maxOwnFileBytes = 64 << 20

// CheckFile says, before any work is done, whether StageFile could replace the file at path:
// nil when it is absent or a regular file that ours accepts, else StageFile's refusal (wrapping
// ErrNotReplaceable) or the error met reading it.
func CheckFile(path string, ours func(data []byte) error) error {
	return checkFileReplaceable(filepath.Clean(path), ours)
}

// A StagedFile is the new content of a file, written beside it under a temporary name and synced
// to disk, ready to take its place.
type StagedFile struct {
	path, tmp string
}

// StageFile writes data to a new temporary file beside path (.idcsim-tmp.BASE.N, for BASE the
// name of path and N random digits), for Commit to rename over path, and returns warnings about
// leftovers of interrupted writes.
//
// The file at path may be replaced only when it is absent or a regular file that ours accepts:
// ours gets the file's content (nil refuses every file) and returns why it is not idcsim's. A
// symbolic link, a directory, any other file, or a regular file larger than 64 MiB or that ours
// refuses is refused with an error wrapping ErrNotReplaceable, before anything is written. Other
// errors are failures to read or write, after which nothing remains of the temporary file.
//
// Leftovers of interrupted writes of path, temporary files that are empty or that ours accepts,
// are removed; any other file under such a name is left alone and named in a warning.
func StageFile(path string, data []byte, ours func(data []byte) error) (*StagedFile, []string, error) {
	path = filepath.Clean(path)
	if err := checkFileReplaceable(path, ours); err != nil {
		return nil, nil, err
	}
	parent, base := filepath.Dir(path), filepath.Base(path)
	leftovers, warnings, err := findLeftovers(parent, base)
	if err != nil {
		return nil, warnings, err
	}
	for _, l := range leftovers {
		why, err := ownFile(l, ours)
		if fi, lerr := os.Lstat(l); lerr == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
			why = "" // interrupted before it was written: nothing to lose
		}
		if err == nil && why == "" {
			err = os.Remove(l)
		}
		switch {
		case err != nil:
			warnings = append(warnings, fmt.Sprintf("%s, left by an interrupted idcsim, could not be checked or removed: %v", l, err))
		case why != "":
			warnings = append(warnings, fmt.Sprintf("%s bears the name of a leftover of idcsim, but %s: left alone; remove it yourself", l, why))
		}
	}
	f, err := os.CreateTemp(parent, tmpPrefix+base+".*")
	if err != nil {
		return nil, warnings, err
	}
	s := &StagedFile{path: path, tmp: f.Name()}
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.Discard()
		return nil, warnings, err
	}
	return s, warnings, nil
}

// Commit renames the staged file to its path.
func (s *StagedFile) Commit() error {
	if s.tmp == "" {
		return errors.New("the staged file " + s.path + " was committed or discarded already")
	}
	if err := os.Rename(s.tmp, s.path); err != nil {
		s.Discard()
		return err
	}
	s.tmp = ""
	syncDir(filepath.Dir(s.path))
	return nil
}

// Discard removes the staged file; after Commit it does nothing.
func (s *StagedFile) Discard() {
	if s.tmp != "" {
		os.Remove(s.tmp)
		s.tmp = ""
	}
}

// WriteFile writes data to path whole or not at all, replacing only what StageFile may replace,
// and returns warnings about leftovers of interrupted writes.
func WriteFile(path string, data []byte, ours func(data []byte) error) ([]string, error) {
	s, warnings, err := StageFile(path, data, ours)
	if err != nil {
		return warnings, err
	}
	return warnings, s.Commit()
}

// checkFileReplaceable says whether the file path may be replaced, with a refusal when not.
func checkFileReplaceable(path string, ours func([]byte) error) error {
	why, err := ownFile(path, ours)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if why != "" {
		return &refusal{fmt.Sprintf("idcsim replaces only a file it wrote, and %s is not one: %s; choose another file, or move or remove %s yourself", path, why, path)}
	}
	return nil
}

// ownFile says why the file p is not one of idcsim's, as ours tells: "" when it is.
func ownFile(p string, ours func([]byte) error) (why string, err error) {
	fi, err := os.Lstat(p)
	switch {
	case err != nil:
		return "", err
	case fi.Mode()&fs.ModeSymlink != 0:
		return "it is a symbolic link, which idcsim never writes through", nil
	case fi.IsDir():
		return "it is a directory", nil
	case !fi.Mode().IsRegular():
		return "it is not a regular file", nil
	case fi.Size() > maxOwnFileBytes:
		return fmt.Sprintf("it is larger than %d MiB", maxOwnFileBytes>>20), nil
	case ours == nil:
		return "it exists", nil
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxOwnFileBytes+1))
	if err != nil {
		return "", err
	}
	if len(data) > maxOwnFileBytes {
		return fmt.Sprintf("it is larger than %d MiB", maxOwnFileBytes>>20), nil
	}
	if err := ours(data); err != nil {
		return err.Error(), nil
	}
	return "", nil
}
