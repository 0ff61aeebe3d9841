//go:build !linux

package quantize

// threadCPUSeconds reports that a thread's CPU time is not measured
// here: only Linux's getrusage has RUSAGE_THREAD.
func threadCPUSeconds() (float64, bool) { return 0, false }
