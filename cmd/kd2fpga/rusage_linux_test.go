package main

import "syscall"

// peakRSS returns the largest resident memory, in bytes, that the
// process has had so far.
func peakRSS() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Maxrss << 10, true // Linux counts kilobytes
}
