//go:build !unix

package gethnode

import "context"

// lockFile is a no-op where flock does not exist: two concurrent first builds
// may then both run, but each installs into its own directory and renames
// the binary into place, so no caller ever sees a half-written file.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
