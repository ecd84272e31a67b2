package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
)

// sealPrefix begins the first line of a scenario idcsim import writes; the line ends with the
// SHA-256 of the rest of the file.
const sealPrefix = "# Written by idcsim import; sha256 of the lines below: "

var sealLine = regexp.MustCompile(`^# Written by idcsim import; sha256 of the lines below: ([0-9a-f]{64})$`)

// seal puts the first line before body: what Written checks.
func seal(body []byte) []byte {
	sum := sha256.Sum256(body)
	out := append([]byte(sealPrefix), hex.EncodeToString(sum[:])...)
	return append(append(out, '\n'), body...)
}

// Written says whether data is a scenario that idcsim import wrote and that has not been changed
// since: nil when it is, else why not. idcsim import replaces only such a file, so that an
// imported scenario someone edited is never lost.
func Written(data []byte) error {
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	m := sealLine.FindSubmatch(first)
	if m == nil {
		return errors.New("it is not a scenario written by idcsim import (its first line is not the one idcsim import writes)")
	}
	sum := sha256.Sum256(rest)
	if hex.EncodeToString(sum[:]) != string(m[1]) {
		return errors.New("it was changed after idcsim import wrote it")
	}
	return nil
}
