package main

import (
	"io"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"

	"github.com/hwk/kundenportal/handlers/password"
)

func TestMemoryLimitFollowsTheAdmittedHashes(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hasher := password.NewHasher(password.Params{Memory: 64 * 1024, Time: 3, Threads: 4}, 2)

	limitMemory(Env{Getenv: envOf(nil)}, hasher, log)
	if got, want := debug.SetMemoryLimit(-1), int64(baseMemory)+2*64<<20; got != want {
		t.Errorf("memory limit %d, want %d (base plus two 64 MiB hashes)", got, want)
	}

	debug.SetMemoryLimit(math.MaxInt64)
	limitMemory(Env{Getenv: envOf(map[string]string{"GOMEMLIMIT": "1GiB"})}, hasher, log)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit %d although GOMEMLIMIT is set: the operator's value must stay", got)
	}
}

func TestGarbageCollectorTargetUnlessGOGCIsSet(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	collectLessOften(Env{Getenv: envOf(nil)})
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GC percent %d, want %d", got, gcPercent)
	}
	collectLessOften(Env{Getenv: envOf(map[string]string{"GOGC": "50"})})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d although GOGC is set: the operator's value must stay", got)
	}
}
