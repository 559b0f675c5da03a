package kernel

import "time"

// timeNow formats the wall-clock time for the banner.
func timeNow() string {
	return time.Now().UTC().Format("2006-01-02 15:04:05 UTC")
}
