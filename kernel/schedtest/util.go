//go:build tamago

package schedtest

import (
	"bytes"
	"strings"
)

type bytesBuffer = bytes.Buffer

func splitLines(s string) []string {
	return strings.Split(strings.TrimSpace(s), "\n")
}
