package tools

import (
	"os"
	"testing"
)

// RequireEnv is the environment variable that turns a missing tool from a
// skipped test into a failed one; CI sets it to 1.
const RequireEnv = "KD2FPGA_REQUIRE_TOOLS"

// Require skips the test when one of the named programs is missing, or
// fails it when RequireEnv is set to 1. It returns the programs' paths in
// the order given.
func Require(t testing.TB, names ...string) []string {
	t.Helper()
	paths, err := FindAll(names...)
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%v (%s=1)", err, RequireEnv)
		}
		t.Skip(err)
	}
	return paths
}
