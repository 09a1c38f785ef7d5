package gethnode

import (
	"fmt"
	"io"
	"os"
)

// logTail returns the last max bytes of the file at path.
func logTail(path string, maxBytes int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer func() { _ = f.Close() }()
	if fi, err := f.Stat(); err == nil && fi.Size() > maxBytes {
		_, _ = f.Seek(fi.Size()-maxBytes, 0)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}
