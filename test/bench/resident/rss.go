package resident

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// PeakMiB is the process's peak resident set (VmHWM), in MiB.
func PeakMiB() (float64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("reading the peak resident set: %w", err)
	}
	return parseVmHWM(raw)
}

// parseVmHWM reads the "VmHWM:   123456 kB" line of /proc/<pid>/status.
func parseVmHWM(status []byte) (float64, error) {
	kb, ok, err := statusKB(status, "VmHWM:")
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, fmt.Errorf("no VmHWM line in /proc/self/status")
	}
	return float64(kb) / 1024, nil
}

// statusKB reads a "Name:   123 kB" line of /proc/<pid>/status: ok is false
// when there is no such line, err says the line is not in that shape.
func statusKB(status []byte, name string) (kb uint64, ok bool, err error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, found := strings.CutPrefix(sc.Text(), name)
		if !found {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, true, fmt.Errorf("unexpected %s line %q", strings.TrimSuffix(name, ":"), sc.Text())
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0, true, fmt.Errorf("unexpected %s line %q: %w", strings.TrimSuffix(name, ":"), sc.Text(), err)
		}
		return kb, true, nil
	}
	return 0, false, nil
}
