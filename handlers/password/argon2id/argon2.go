// Copyright 2017 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package argon2id is Argon2id (RFC 9106) as golang.org/x/crypto/argon2
// v0.58.0 computes it, with two changes for a server that hashes one
// password after another:
//
//   - A hash runs in a [Memory] that is kept for the next hash. x/crypto
//     allocates each hash's memory afresh (64 MiB for RFC 9106's second
//     option), which the runtime zeroes and the kernel maps: about a
//     tenth of a login's CPU time, spent on one core while the others
//     wait (golang/go#36634 asks for a way to pass a buffer; there is
//     none). The first pass therefore writes its blocks instead of
//     XORing them into zeroed memory, as RFC 9106 specifies it.
//   - The lanes of all hashes can be computed by [Cores], a fixed set of
//     workers, instead of a goroutine per lane and segment: no more
//     lanes compute at once than there are workers, a worker goes from
//     one segment to the next without waking anyone, and requests served
//     beside the hashes run between two segments.
//
// The output is the same as x/crypto's IDKey for the same input; the
// tests compare the two. Only Argon2id is kept. The files other than
// this one are x/crypto's (the amd64 assembly is generated there), with
// the package name changed and loong64 left out.
package argon2id

import (
	"encoding/binary"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/blake2b"
)

// The Argon2 version implemented by this package.
const Version = 0x13

const (
	argon2d = iota
	argon2i
	argon2id
)

// Memory is the working memory of one hash at a time. It grows to the
// largest hash it has run and is reused by the next. The zero value is
// ready to use.
type Memory struct{ b []block }

// blocks returns n blocks of m, growing it when it is smaller.
func (m *Memory) blocks(n uint32) []block {
	if uint32(len(m.b)) < n {
		m.b = make([]block, n)
	}
	return m.b[:n]
}

// Cores are goroutines that compute the segments of all hashes given to
// them, one segment each at a time, in the order they are queued. The
// worker that finishes the last segment of a slice queues the next
// slice's, and a worker that finishes a segment takes the next one queued,
// so a hash wakes no one until it is done. No more lanes compute than
// there are workers, and each lets waiting goroutines run between two
// segments, so whatever else the process runs is not starved.
// A nil *Cores computes each lane in a goroutine of its own (as x/crypto).
type Cores struct {
	mu       sync.Mutex
	queued   sync.Cond
	segments []func()
}

// NewCores starts n workers (at least one). They live as long as the
// process: the hashes of a server share one Cores.
func NewCores(n int) *Cores {
	c := &Cores{}
	c.queued.L = &c.mu
	for range max(n, 1) {
		go c.work()
	}
	return c
}

func (c *Cores) work() {
	for {
		c.mu.Lock()
		for len(c.segments) == 0 {
			c.queued.Wait()
		}
		segment := c.segments[0]
		c.segments[0] = nil
		c.segments = c.segments[1:]
		c.mu.Unlock()
		segment()
		// A segment takes a few milliseconds. Between two, whatever waits
		// for the processor (a request woken by the network) runs first:
		// with every processor computing segments it would otherwise wait
		// for the runtime's monitor to notice it.
		runtime.Gosched()
	}
}

func (c *Cores) queue(segments []func()) {
	c.mu.Lock()
	c.segments = append(c.segments, segments...)
	c.mu.Unlock()
	for range segments {
		c.queued.Signal()
	}
}

// run computes every pass and slice of one hash on the cores, each
// slice's lanes side by side, and returns when the last is done.
func (c *Cores) run(time, threads uint32, processSegment func(n, slice, lane uint32)) {
	done := make(chan struct{})
	var queueSlice func(n, slice uint32)
	queueSlice = func(n, slice uint32) {
		var left atomic.Uint32
		left.Store(threads)
		segments := make([]func(), threads)
		for lane := range threads {
			segments[lane] = func() {
				processSegment(n, slice, lane)
				if left.Add(^uint32(0)) != 0 {
					return
				}
				switch {
				case slice+1 < syncPoints:
					queueSlice(n, slice+1)
				case n+1 < time:
					queueSlice(n+1, 0)
				default:
					close(done)
				}
			}
		}
		c.queue(segments)
	}
	queueSlice(0, 0)
	<-done
}

// IDKey derives a key from the password, salt, and cost parameters using
// Argon2id, as x/crypto/argon2's IDKey does, computing in m with the lanes
// bounded by cores. time (passes) and threads (lanes) must be at least 1;
// memory is in KiB. m must not be used by another hash at the same time.
func (m *Memory) IDKey(cores *Cores, password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	return deriveKey(m, cores, argon2id, password, salt, nil, nil, time, memory, threads, keyLen)
}

func deriveKey(m *Memory, cores *Cores, mode int, password, salt, secret, data []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if time < 1 {
		panic("argon2: number of rounds too small")
	}
	if threads < 1 {
		panic("argon2: parallelism degree too low")
	}
	h0 := initHash(password, salt, secret, data, time, memory, uint32(threads), keyLen, mode)

	memory = memory / (syncPoints * uint32(threads)) * (syncPoints * uint32(threads))
	if memory < 2*syncPoints*uint32(threads) {
		memory = 2 * syncPoints * uint32(threads)
	}
	B := m.blocks(memory)
	initBlocks(&h0, B, memory, uint32(threads))
	processBlocks(B, cores, time, memory, uint32(threads), mode)
	return extractKey(B, memory, uint32(threads), keyLen)
}

const (
	blockLength = 128
	syncPoints  = 4
)

type block [blockLength]uint64

func initHash(password, salt, key, data []byte, time, memory, threads, keyLen uint32, mode int) [blake2b.Size + 8]byte {
	var (
		h0     [blake2b.Size + 8]byte
		params [24]byte
		tmp    [4]byte
	)

	b2, _ := blake2b.New512(nil)
	binary.LittleEndian.PutUint32(params[0:4], threads)
	binary.LittleEndian.PutUint32(params[4:8], keyLen)
	binary.LittleEndian.PutUint32(params[8:12], memory)
	binary.LittleEndian.PutUint32(params[12:16], time)
	binary.LittleEndian.PutUint32(params[16:20], uint32(Version))
	binary.LittleEndian.PutUint32(params[20:24], uint32(mode))
	b2.Write(params[:])
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(password)))
	b2.Write(tmp[:])
	b2.Write(password)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(salt)))
	b2.Write(tmp[:])
	b2.Write(salt)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(key)))
	b2.Write(tmp[:])
	b2.Write(key)
	binary.LittleEndian.PutUint32(tmp[:], uint32(len(data)))
	b2.Write(tmp[:])
	b2.Write(data)
	b2.Sum(h0[:0])
	return h0
}

func initBlocks(h0 *[blake2b.Size + 8]byte, B []block, memory, threads uint32) {
	var block0 [1024]byte
	for lane := uint32(0); lane < threads; lane++ {
		j := lane * (memory / threads)
		binary.LittleEndian.PutUint32(h0[blake2b.Size+4:], lane)

		binary.LittleEndian.PutUint32(h0[blake2b.Size:], 0)
		blake2bHash(block0[:], h0[:])
		for i := range B[j+0] {
			B[j+0][i] = binary.LittleEndian.Uint64(block0[i*8:])
		}

		binary.LittleEndian.PutUint32(h0[blake2b.Size:], 1)
		blake2bHash(block0[:], h0[:])
		for i := range B[j+1] {
			B[j+1][i] = binary.LittleEndian.Uint64(block0[i*8:])
		}
	}
}

func processBlocks(B []block, cores *Cores, time, memory, threads uint32, mode int) {
	lanes := memory / threads
	segments := lanes / syncPoints

	processSegment := func(n, slice, lane uint32) {
		var addresses, in, zero block
		if mode == argon2i || (mode == argon2id && n == 0 && slice < syncPoints/2) {
			in[0] = uint64(n)
			in[1] = uint64(lane)
			in[2] = uint64(slice)
			in[3] = uint64(memory)
			in[4] = uint64(time)
			in[5] = uint64(mode)
		}

		index := uint32(0)
		if n == 0 && slice == 0 {
			index = 2 // we have already generated the first two blocks
			if mode == argon2i || mode == argon2id {
				in[6]++
				processBlock(&addresses, &in, &zero)
				processBlock(&addresses, &addresses, &zero)
			}
		}

		offset := lane*lanes + slice*segments + index
		var random uint64
		for index < segments {
			prev := offset - 1
			if index == 0 && slice == 0 {
				prev += lanes // last block in lane
			}
			if mode == argon2i || (mode == argon2id && n == 0 && slice < syncPoints/2) {
				if index%blockLength == 0 {
					in[6]++
					processBlock(&addresses, &in, &zero)
					processBlock(&addresses, &addresses, &zero)
				}
				random = addresses[index%blockLength]
			} else {
				random = B[prev][0]
			}
			newOffset := indexAlpha(random, lanes, segments, threads, n, slice, lane, index)
			if n == 0 {
				processBlock(&B[offset], &B[prev], &B[newOffset])
			} else {
				processBlockXOR(&B[offset], &B[prev], &B[newOffset])
			}
			index, offset = index+1, offset+1
		}
	}

	if cores != nil {
		cores.run(time, threads, processSegment)
		return
	}
	for n := uint32(0); n < time; n++ {
		for slice := uint32(0); slice < syncPoints; slice++ {
			var wg sync.WaitGroup
			for lane := uint32(0); lane < threads; lane++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					processSegment(n, slice, lane)
				}()
			}
			wg.Wait()
		}
	}
}

func extractKey(B []block, memory, threads, keyLen uint32) []byte {
	lanes := memory / threads
	for lane := uint32(0); lane < threads-1; lane++ {
		for i, v := range B[(lane*lanes)+lanes-1] {
			B[memory-1][i] ^= v
		}
	}

	var block [1024]byte
	for i, v := range B[memory-1] {
		binary.LittleEndian.PutUint64(block[i*8:], v)
	}
	key := make([]byte, keyLen)
	blake2bHash(key, block[:])
	return key
}

func indexAlpha(rand uint64, lanes, segments, threads, n, slice, lane, index uint32) uint32 {
	refLane := uint32(rand>>32) % threads
	if n == 0 && slice == 0 {
		refLane = lane
	}
	m, s := 3*segments, ((slice+1)%syncPoints)*segments
	if lane == refLane {
		m += index
	}
	if n == 0 {
		m, s = slice*segments, 0
		if slice == 0 || lane == refLane {
			m += index
		}
	}
	if index == 0 || lane == refLane {
		m--
	}
	return phi(rand, uint64(m), uint64(s), refLane, lanes)
}

func phi(rand, m, s uint64, lane, lanes uint32) uint32 {
	p := rand & 0xFFFFFFFF
	p = (p * p) >> 32
	p = (p * m) >> 32
	return lane*lanes + uint32((s+m-(p+1))%uint64(lanes))
}
