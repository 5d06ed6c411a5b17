// Package password hashes and verifies passwords with argon2id, stored as
// PHC strings ("$argon2id$v=19$m=65536,t=3,p=4$salt$key").
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/hwk/kundenportal/handlers/password/argon2id"
	"github.com/hwk/kundenportal/handlers/policy"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams is RFC 9106's second recommended option (64 MiB, 3 passes,
// 4 lanes), well above OWASP's minimum (19 MiB, 2 passes, 1 lane).
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 4}

// MinParams is the least the portal accepts from configuration (OWASP).
var MinParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrMalformed is returned for a stored hash the hasher cannot read.
var ErrMalformed = errors.New("password: malformed hash")

// ParseParams reads "m=65536,t=3,p=4".
func ParseParams(s string) (Params, error) {
	var p Params
	if _, err := fmt.Sscanf(s, "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, fmt.Errorf("want m=KIB,t=PASSES,p=LANES such as m=65536,t=3,p=4")
	}
	if p.Memory < MinParams.Memory || p.Time < MinParams.Time || p.Threads < MinParams.Threads {
		return p, fmt.Errorf("below the minimum m=%d,t=%d,p=%d", MinParams.Memory, MinParams.Time, MinParams.Threads)
	}
	return p, nil
}

func (p Params) String() string { return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) }

// Hasher hashes with fixed parameters and admits only as many hashes at once
// as the machine can run (see admission), so a flood of logins can neither
// exhaust memory nor turn into minutes of waiting.
type Hasher struct {
	params Params
	admission
	dummy string
	// key derives the key; derive except in tests that watch the work.
	key func(pw, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
	// cores compute the lanes of all admitted hashes (sharedCores).
	cores *argon2id.Cores
	// memories holds the working memory of finished hashes for the next
	// ones: at most one per admitted hash. When no hash has finished for
	// idleAfter (IdleMemory), idle drops them and gives the memory back.
	memories  chan *argon2id.Memory
	idle      *time.Timer
	idleAfter time.Duration
}

// IdleMemory is how long the working memory of finished hashes is kept for
// the next ones. A login flood reuses it from hash to hash; after it, the
// portal goes back to its idle size.
const IdleMemory = 30 * time.Second

// dummyKey is the key of the dummy hash. No password yields it: it is not
// the result of any hash, so the dummy never verifies, and nothing has to
// be computed at start. The work of checking it is the same as for a real
// hash with the hasher's parameters.
var dummyKey = []byte("kundenportal-dummy-hash-key-0001")

// NewHasher makes a hasher; concurrency 0 admits DefaultConcurrency
// hashes at once. The lanes of all its hashes compute on at most
// GOMAXPROCS processors at once (sharedCores).
func NewHasher(p Params, concurrency int) *Hasher {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency(p)
	}
	h := &Hasher{
		params:    p,
		admission: newAdmission(concurrency),
		dummy:     encode(make([]byte, saltLen), dummyKey, p),
		cores:     sharedCores(),
		memories:  make(chan *argon2id.Memory, concurrency),
		idleAfter: IdleMemory,
	}
	h.idle = time.AfterFunc(time.Hour, h.dropMemories)
	h.idle.Stop()
	h.key = h.derive
	return h
}

// sharedCores are the workers that compute the lanes of every hasher's
// hashes: one per processor, as GOMAXPROCS is when the first hasher is
// made. They are shared because the processors are.
var sharedCores = sync.OnceValue(func() *argon2id.Cores {
	return argon2id.NewCores(runtime.GOMAXPROCS(0))
})

// derive computes the argon2id key in a kept working memory, or a new one
// when none is kept, and keeps it for the next hash.
func (h *Hasher) derive(pw, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) []byte {
	var m *argon2id.Memory
	select {
	case m = <-h.memories:
	default:
		m = new(argon2id.Memory)
	}
	key := m.IDKey(h.cores, pw, salt, passes, memory, threads, keyLen)
	select {
	case h.memories <- m:
	default: // only with a key func of tests that hash outside the admission
	}
	h.idle.Reset(h.idleAfter)
	return key
}

// dropMemories lets go of the kept working memories and returns the memory
// to the system at once (the runtime would take minutes).
func (h *Hasher) dropMemories() {
	dropped := false
	for {
		select {
		case <-h.memories:
			dropped = true
		default:
			if dropped {
				debug.FreeOSMemory()
			}
			return
		}
	}
}

// Params returns the hasher's parameters.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of the normalized password with a new salt.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	done, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer done()
	key := h.key([]byte(policy.Normalize(pw)), salt, h.params.Time, h.params.Memory, h.params.Threads, keyLen)
	return encode(salt, key, h.params), nil
}

// Verify reports whether pw matches the stored PHC string, in constant time,
// and whether the hash should be renewed because the parameters changed.
func (h *Hasher) Verify(ctx context.Context, pw, stored string) (ok, rehash bool, err error) {
	p, salt, want, err := decode(stored)
	if err != nil {
		return false, false, err
	}
	done, err := h.acquire(ctx)
	if err != nil {
		return false, false, err
	}
	defer done()
	got := h.key([]byte(policy.Normalize(pw)), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, ok && p != h.params, nil
}

// VerifyDummy does the work of one verification against a fixed hash, so
// a login for an unknown address takes as long as one for a known address.
// Its error is ErrBusy (or the context's) when the hash was not admitted,
// as Verify's would be.
func (h *Hasher) VerifyDummy(ctx context.Context, pw string) error {
	_, _, err := h.Verify(ctx, pw, h.dummy)
	return err
}

func encode(salt, key []byte, p Params) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$%s$%s$%s", argon2id.Version, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decode(phc string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2id.Version) {
		return p, nil, nil, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Threads == 0 {
		return p, nil, nil, ErrMalformed
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 {
		return p, nil, nil, ErrMalformed
	}
	return p, salt, key, nil
}
