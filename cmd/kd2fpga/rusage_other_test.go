//go:build !linux

package main

// peakRSS reports that the peak resident memory is not measured here:
// getrusage counts it in other units, or not at all, on other systems.
func peakRSS() (int64, bool) { return 0, false }
