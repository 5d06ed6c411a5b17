package argon2id

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// vectors are x/crypto's Argon2id test vectors (password "password", salt
// "somesalt"), made with the reference implementation.
var vectors = []struct {
	time, memory uint32
	threads      uint8
	hash         string
}{
	{1, 64, 1, "655ad15eac652dc59f7170a7332bf49b8469be1fdb9c28bb"},
	{2, 64, 1, "068d62b26455936aa6ebe60060b0a65870dbfa3ddf8d41f7"},
	{2, 64, 2, "350ac37222f436ccb5c0972f1ebd3bf6b958bf2071841362"},
	{3, 256, 2, "4668d30ac4187e6878eedeacf0fd83c5a0a30db2cc16ef0b"},
	{4, 4096, 4, "145db9733a9f4ee43edf33c509be96b934d505a4efb33c5a"},
	{4, 1024, 8, "8dafa8e004f8ea96bf7c0f93eecf67a6047476143d15577f"},
	{2, 64, 3, "4a15b31aec7c2590b87d1f520be7d96f56658172deaa3079"},
	{3, 1024, 6, "1640b932f4b60e272f5d2207b9a9c626ffa1bd88d2349016"},
}

// TestVectors runs every vector in one Memory, largest first, so each
// later hash runs in memory an earlier one left full of its blocks.
func TestVectors(t *testing.T) {
	defer func(sse4 bool) { useSSE4 = sse4 }(useSSE4)
	for _, sse4 := range []bool{useSSE4, false} {
		useSSE4 = sse4
		var m Memory
		m.IDKey(nil, []byte("warm"), []byte("memory-with-old-blocks"), 1, 4096, 1, 32)
		for i, v := range vectors {
			got := hex.EncodeToString(m.IDKey(NewCores(2), []byte("password"), []byte("somesalt"), v.time, v.memory, v.threads, uint32(len(v.hash)/2)))
			if got != v.hash {
				t.Errorf("SSE4 %v, vector %d: got %s, want %s", sse4, i, got, v.hash)
			}
		}
	}
}

// TestSameAsXCrypto compares random inputs and parameters with x/crypto,
// reusing one Memory throughout (it grows and shrinks between hashes).
func TestSameAsXCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var m Memory
	cores := NewCores(1)
	for i := range 60 {
		pw := make([]byte, r.IntN(40))
		salt := make([]byte, 8+r.IntN(24))
		for _, b := range [][]byte{pw, salt} {
			for j := range b {
				b[j] = byte(r.Uint32())
			}
		}
		time, memory := uint32(1+r.IntN(3)), uint32(8+r.IntN(2048))
		threads, keyLen := uint8(1+r.IntN(6)), uint32(16+r.IntN(80))
		want := argon2.IDKey(pw, salt, time, memory, threads, keyLen)
		if got := m.IDKey(cores, pw, salt, time, memory, threads, keyLen); !bytes.Equal(got, want) {
			t.Fatalf("case %d (t=%d m=%d p=%d len=%d): got %x, want %x", i, time, memory, threads, keyLen, got, want)
		}
	}
}

// TestSegmentsRunOnTheCores keeps the only worker of a Cores busy: a hash
// on it must not compute until the worker is free, and then computes the
// same key as x/crypto.
func TestSegmentsRunOnTheCores(t *testing.T) {
	cores := NewCores(1)
	release := make(chan struct{})
	cores.queue([]func(){func() { <-release }})
	done := make(chan []byte)
	go func() {
		var m Memory
		done <- m.IDKey(cores, []byte("pw"), []byte("saltsalt"), 2, 256, 2, 32)
	}()
	select {
	case <-done:
		t.Fatal("the hash finished while the only worker was busy")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if got, want := <-done, argon2.IDKey([]byte("pw"), []byte("saltsalt"), 2, 256, 2, 32); !bytes.Equal(got, want) {
		t.Errorf("got %x, want %x", got, want)
	}
}

// TestMemoryIsReused checks that a hash in a Memory large enough for it
// allocates none of its blocks: 4 MiB afresh would show in the heap's total.
func TestMemoryIsReused(t *testing.T) {
	allocated := func(m *Memory) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m.IDKey(nil, []byte("pw"), []byte("saltsalt"), 1, 4096, 1, 32)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	var m Memory
	if fresh := allocated(&m); fresh < 4<<20 {
		t.Fatalf("a fresh Memory allocated %d bytes, want its 4 MiB of blocks", fresh)
	}
	if reused := allocated(&m); reused > 64<<10 {
		t.Errorf("a reused Memory allocated %d bytes, want no blocks (under 64 KiB)", reused)
	}
}
