package importer

// Limits on what an export may hold, so that importing one never exhausts memory. A file is read
// whole, and each JSON document in it decoded once it has been checked.
const (
	// MaxFileSize is the most bytes a file of an export may hold.
	MaxFileSize = 128 << 20
	// MaxTotalSize is the most bytes the files of an export may hold together.
	MaxTotalSize = 512 << 20
	// MaxFiles is the most files a directory of an export may hold.
	MaxFiles = 10_000
	// MaxErrors is the most problems listed; the others are counted.
	MaxErrors = 100
	// DefaultMaxUsers is the most users written by name; with more, the scenario describes
	// people as populations.
	DefaultMaxUsers = 500
)
