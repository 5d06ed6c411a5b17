package password

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

func TestDefaultConcurrencyFollowsGOMAXPROCSAndLanes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	cases := []struct {
		procs, lanes, want int
	}{
		{2, 4, 2}, {8, 4, 3}, {8, 1, 9}, {1, 1, 2}, {3, 2, 3}, {1, 4, 2},
	}
	for _, c := range cases {
		runtime.GOMAXPROCS(c.procs)
		if got := DefaultConcurrency(Params{Memory: 19 * 1024, Time: 2, Threads: uint8(c.lanes)}); got != c.want {
			t.Errorf("GOMAXPROCS %d, %d lanes: concurrency %d, want %d", c.procs, c.lanes, got, c.want)
		}
	}
	if h := NewHasher(fast, 0); h.Concurrency() != DefaultConcurrency(fast) {
		t.Errorf("NewHasher(p, 0) admits %d at once, want DefaultConcurrency %d", h.Concurrency(), DefaultConcurrency(fast))
	}
}

func TestFullQueueRefusesAtOnce(t *testing.T) {
	h := NewHasher(fast, 1)
	h.slots <- struct{}{} // one hash runs
	h.cost.Store(int64(time.Second))
	h.waiting.Store(int64(MaxQueue/time.Second) - 1) // the next one still fits
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "Tischlerei!Berg7"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a hash that fits the queue: err %v, want it to wait until its context ends", err)
	}
	h.waiting.Store(int64(MaxQueue / time.Second)) // a full queue
	start := time.Now()
	if _, err := h.Hash(context.Background(), "Tischlerei!Berg7"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with a full queue: err %v, want ErrBusy", err)
	}
	if err := h.VerifyDummy(context.Background(), "x"); !errors.Is(err, ErrBusy) {
		t.Errorf("VerifyDummy with a full queue: err %v, want ErrBusy like Verify", err)
	}
	if d := time.Since(start); d > 20*time.Millisecond {
		t.Errorf("refusing took %v: a full queue must answer at once", d)
	}
	if ra := h.RetryAfter(); ra < MaxQueue {
		t.Errorf("RetryAfter %v, want at least the queued work %v", ra, MaxQueue)
	}
}

func TestQueuedHashWaitsBoundedTime(t *testing.T) {
	h := NewHasher(fast, 1)
	h.maxWait = 30 * time.Millisecond
	h.slots <- struct{}{} // a hash that never ends
	start := time.Now()
	if _, _, err := h.Verify(context.Background(), "x", h.dummy); !errors.Is(err, ErrBusy) {
		t.Fatalf("Verify behind a stuck hash: err %v, want ErrBusy", err)
	}
	if d := time.Since(start); d < h.maxWait || d > 10*h.maxWait {
		t.Errorf("waited %v, want about %v", d, h.maxWait)
	}
	if n := h.waiting.Load(); n != 0 {
		t.Errorf("%d hashes still counted as waiting", n)
	}
}

func TestQueuedHashRunsWhenASlotFrees(t *testing.T) {
	h := NewHasher(fast, 1)
	done, err := h.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(20 * time.Millisecond); done() }()
	if _, err := h.Hash(context.Background(), "Tischlerei!Berg7"); err != nil {
		t.Fatalf("Hash after the slot freed: %v", err)
	}
	if h.cost.Load() == 0 {
		t.Error("finished hashes did not update the cost estimate")
	}
}

func TestQueueCountsTheRunningHashBeforeAnyHasFinished(t *testing.T) {
	// Right after start no hash has finished, so there is no measured cost
	// yet: the hash that runs is the measure. Without it the queue took
	// every login of a flood, and they waited up to maxWait for an answer.
	h := NewHasher(fast, 1)
	release := make(chan struct{})
	derive := h.key
	h.key = func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		<-release
		return derive(pw, salt, time, memory, threads, keyLen)
	}
	first := make(chan error, 1)
	go func() { _, err := h.Hash(context.Background(), "Tischlerei!Berg7"); first <- err }()
	time.Sleep(100 * time.Millisecond)
	if h.cost.Load() != 0 {
		t.Fatal("a hash finished before the test looked")
	}
	// 100 ms a hash or more: sixty queued hashes are more than MaxQueue.
	h.waiting.Store(60)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	if _, err := h.Hash(ctx, "Tischlerei!Berg7"); !errors.Is(err, ErrBusy) {
		t.Errorf("Hash behind 60 queued and a running one of 100 ms: err %v, want ErrBusy at once", err)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("refusing took %v, want at once", d)
	}
	if ra := h.RetryAfter(); ra < MaxQueue {
		t.Errorf("RetryAfter %v, want at least %v: the running hash took 100 ms already", ra, MaxQueue)
	}
	h.waiting.Store(0)
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := len(h.running); n != 0 {
		t.Errorf("%d hashes still counted as running", n)
	}
}

func TestThirtyTwoLoginsAtOnceFitTheQueueOnTwoCores(t *testing.T) {
	// The bound is a product decision: 32 customers pressing "Anmelden" at
	// once on two cores (two hashes at a time sharing them, 11.6 raw
	// hashes a second) are all let in, even when the pages served beside
	// them make each hash half as slow again; a refusal would make them
	// wait longer.
	h := NewHasher(fast, 2)
	h.slots <- struct{}{} // two hashes run
	h.slots <- struct{}{}
	h.cost.Store(2 * int64(time.Second*3/2) * 10 / 116) // two share the cores: 2 × 1.5 × 1/11.6 s
	h.waiting.Store(29)                                 // the 32nd comes
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "Tischlerei!Berg7"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the 32nd login (%v of work queued): err %v, want it queued", h.queued(30), err)
	}
}
