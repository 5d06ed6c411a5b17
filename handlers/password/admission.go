package password

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrBusy is returned when a hash is not admitted: the queue already holds
// more than MaxQueue of work, or the hash waited longer than it may.
var ErrBusy = errors.New("password: too many hashes waiting")

// MaxQueue is the most work the queue of waiting hashes may hold. A hash
// that would wait longer is refused at once, so the customer gets an
// answer ("try again in a few seconds") instead of a long spinner.
//
// Five seconds is a product decision: a refused customer has to send the
// form again and waits at least as long as the queue would have taken, so
// refusing only pays when the wait would be long. Five seconds hold the
// logins of a busy moment (32 at once are under three seconds of hashing
// on two cores) with room for the pages served beside them, which slow
// the hashes down; beyond it a spinner starts to look broken.
const MaxQueue = 5 * time.Second

// DefaultConcurrency is how many hashes of p are admitted at once: as
// many as fill GOMAXPROCS with their lanes, and one more. The lanes of
// all admitted hashes share the processors (argon2id.Cores), so the one
// more does not crowd them: its lanes compute where another hash's lanes
// wait for each other at the end of a segment, which one hash at a time
// leaves idle. Each admitted hash holds its memory (64 MiB by default).
func DefaultConcurrency(p Params) int {
	lanes := max(int(p.Threads), 1)
	return (runtime.GOMAXPROCS(0)+lanes-1)/lanes + 1
}

// admission lets a bounded number of hashes run at once and queues the
// rest, refusing a hash when the queue holds more than MaxQueue of work.
type admission struct {
	slots   chan struct{}
	waiting atomic.Int64
	cost    atomic.Int64  // smoothed duration of one finished hash in nanoseconds; 0 until the first
	maxWait time.Duration // longest a queued hash waits for a slot

	mu      sync.Mutex
	running []time.Time // when each hash now holding a slot started
}

func newAdmission(concurrency int) admission {
	return admission{slots: make(chan struct{}, concurrency), maxWait: 2 * MaxQueue}
}

// Concurrency is how many hashes run at once.
func (a *admission) Concurrency() int { return cap(a.slots) }

// acquire waits for a slot and returns the function that frees it.
func (a *admission) acquire(ctx context.Context) (func(), error) {
	select {
	case a.slots <- struct{}{}:
		return a.started(), nil
	default:
	}
	position := a.waiting.Add(1)
	defer a.waiting.Add(-1)
	if a.queued(position) > MaxQueue {
		return nil, ErrBusy
	}
	timer := time.NewTimer(a.maxWait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		return a.started(), nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (a *admission) started() func() {
	start := time.Now()
	a.mu.Lock()
	a.running = append(a.running, start)
	a.mu.Unlock()
	return func() {
		a.observe(time.Since(start))
		a.mu.Lock()
		if i := slices.Index(a.running, start); i >= 0 {
			a.running = slices.Delete(a.running, i, i+1)
		}
		a.mu.Unlock()
		<-a.slots
	}
}

// observe folds one hash's duration into the smoothed cost.
func (a *admission) observe(d time.Duration) {
	old := a.cost.Load()
	if old == 0 {
		a.cost.Store(int64(d))
		return
	}
	a.cost.Store((7*old + int64(d)) / 8)
}

// hashCost is what one hash is expected to take: the smoothed duration of
// the finished ones; before any has finished (right after start), the
// time the oldest running hash has taken so far, so a flood at start is
// bounded too.
func (a *admission) hashCost() time.Duration {
	if cost := a.cost.Load(); cost > 0 {
		return time.Duration(cost)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.running) == 0 {
		return 0
	}
	return time.Since(a.running[0])
}

// queued is the work ahead of the hash at position in the queue, once the
// running hashes are counted in: how long it will wait.
func (a *admission) queued(position int64) time.Duration {
	return time.Duration(position) * a.hashCost() / time.Duration(cap(a.slots))
}

// RetryAfter is how long a refused hash should wait before it is tried
// again: the work now queued, at least one second.
func (a *admission) RetryAfter() time.Duration {
	return max(a.queued(a.waiting.Load()+1), time.Second)
}
