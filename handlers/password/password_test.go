package password

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

var fast = Params{Memory: 8 * 1024, Time: 1, Threads: 1}

func TestHashVerifiesOnlyTheSamePassword(t *testing.T) {
	h := NewHasher(fast, 2)
	ctx := context.Background()
	phc, err := h.Hash(ctx, "Tischlerei!Berg7")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Errorf("hash = %q, want a PHC argon2id string", phc)
	}
	if strings.Contains(phc, "Tischlerei") {
		t.Fatal("hash contains the password")
	}
	cases := []struct {
		pw   string
		want bool
	}{
		{"Tischlerei!Berg7", true},
		{"tischlerei!Berg7", false},
		{"Tischlerei!Berg7 ", false},
		{"", false},
	}
	for _, c := range cases {
		ok, rehash, err := h.Verify(ctx, c.pw, phc)
		if err != nil || ok != c.want || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want %v, false, nil", c.pw, ok, rehash, err, c.want)
		}
	}
	again, _ := h.Hash(ctx, "Tischlerei!Berg7")
	if again == phc {
		t.Error("two hashes of one password are equal: salt is not random")
	}
}

func TestVerifyNormalizesUnicode(t *testing.T) {
	h := NewHasher(fast, 1)
	phc, _ := h.Hash(context.Background(), "Hobelbänk#7xy")
	if ok, _, _ := h.Verify(context.Background(), "Hobelba\u0308nk#7xy", phc); !ok {
		t.Error("decomposed umlaut did not verify against the composed one")
	}
}

func TestVerifyAsksForRehashWhenParametersChange(t *testing.T) {
	old := NewHasher(fast, 1)
	phc, _ := old.Hash(context.Background(), "Tischlerei!Berg7")
	stronger := NewHasher(Params{Memory: 16 * 1024, Time: 2, Threads: 1}, 1)
	ok, rehash, err := stronger.Verify(context.Background(), "Tischlerei!Berg7", phc)
	if !ok || !rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	if _, rehash, _ := stronger.Verify(context.Background(), "wrong", phc); rehash {
		t.Error("a wrong password must not ask for a rehash")
	}
}

func TestMalformedHashes(t *testing.T) {
	h := NewHasher(fast, 1)
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AAAA$BBBB", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=8192,t=1,p=0$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"} {
		if ok, _, err := h.Verify(context.Background(), "x", bad); ok || err != ErrMalformed {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformed", bad, ok, err)
		}
	}
}

func TestParseParams(t *testing.T) {
	if p, err := ParseParams("m=65536,t=3,p=4"); err != nil || p != DefaultParams {
		t.Errorf("ParseParams = %v, %v", p, err)
	}
	for _, bad := range []string{"", "m=1024,t=1,p=1", "fast", "m=65536,t=1,p=4"} {
		if _, err := ParseParams(bad); err == nil {
			t.Errorf("ParseParams(%q) accepted parameters below the minimum or malformed", bad)
		}
	}
}

func TestHashWaitsForAFreeSlot(t *testing.T) {
	h := NewHasher(fast, 1)
	h.slots <- struct{}{} // the only slot is taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "x"); err == nil {
		t.Error("Hash ran although no slot was free")
	}
}

func BenchmarkHashDefaultParams(b *testing.B) {
	h := NewHasher(DefaultParams, 0)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash(ctx, "Tischlerei!Berg7"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestNewHasherComputesNothing: the dummy hash is a fixed string, so start
// costs no argon2 run (64 MiB and a good part of a second by default).
func TestNewHasherComputesNothing(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h := NewHasher(DefaultParams, 0)
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("NewHasher allocated %d bytes: it computed a hash", n)
	}
	if h == nil {
		t.Fatal("no hasher")
	}
}

// TestFinishedHashesLeaveTheirMemoryForTheNext: a hash runs in the memory
// a finished one left (none allocates its blocks afresh), no more memories
// are kept than hashes admitted, and after a quiet while they are dropped.
func TestFinishedHashesLeaveTheirMemoryForTheNext(t *testing.T) {
	h := NewHasher(fast, 2)
	h.idleAfter = time.Hour
	ctx := context.Background()
	phc, _ := h.Hash(ctx, "Tischlerei!Berg7")
	if n := len(h.memories); n != 1 {
		t.Fatalf("%d memories kept after one hash, want 1", n)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if ok, _, err := h.Verify(ctx, "Tischlerei!Berg7", phc); !ok || err != nil {
		t.Fatalf("Verify in a kept memory = %v, %v", ok, err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > uint64(fast.Memory)*1024/2 {
		t.Errorf("a hash in a kept memory allocated %d bytes, want none of its %d KiB", n, fast.Memory)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := h.Hash(ctx, "Tischlerei!Berg7"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(h.memories); n < 1 || n > 2 {
		t.Errorf("%d memories kept after hashes two at a time, want 1 or 2", n)
	}

	h.idleAfter = 20 * time.Millisecond
	if _, err := h.Hash(ctx, "Tischlerei!Berg7"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(h.memories) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(h.memories); n != 0 {
		t.Errorf("%d memories still kept after a quiet while, want them dropped", n)
	}
}

// TestDummyTakesTheSameWorkAsARealHash: an unknown address is checked with
// exactly the argon2id parameters and key length of a real account's hash.
func TestDummyTakesTheSameWorkAsARealHash(t *testing.T) {
	for _, p := range []Params{fast, {Memory: 12 * 1024, Time: 2, Threads: 2}} {
		h := NewHasher(p, 1)
		var calls []string
		h.key = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
			calls = append(calls, fmt.Sprintf("t=%d m=%d p=%d len=%d salt=%d", time, memory, threads, keyLen, len(salt)))
			return argon2.IDKey(pw, salt, time, memory, threads, keyLen)
		}
		phc, err := h.Hash(context.Background(), "Tischlerei!Berg7")
		if err != nil {
			t.Fatal(err)
		}
		calls = nil
		if ok, _, err := h.Verify(context.Background(), "Tischlerei!Berg7", phc); !ok || err != nil {
			t.Fatalf("Verify = %v, %v", ok, err)
		}
		if err := h.VerifyDummy(context.Background(), "Tischlerei!Berg7"); err != nil {
			t.Fatalf("VerifyDummy: %v", err)
		}
		if len(calls) != 2 || calls[0] != calls[1] {
			t.Errorf("params %v: real and dummy verification did different work: %q", p, calls)
		}
		for _, pw := range []string{"", "dummy", "Tischlerei!Berg7"} {
			if ok, _, _ := h.Verify(context.Background(), pw, h.dummy); ok {
				t.Errorf("the dummy hash verified %q", pw)
			}
		}
	}
}
