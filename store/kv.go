package store

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"
)

// kvTimeout bounds each KV call: fiber.Storage has no context.
const kvTimeout = 2 * time.Second

// kvRow is one entry of table kv. Exp is unix seconds, 0 for never.
type kvRow struct {
	bun.BaseModel `bun:"table:kv"`

	K   string `bun:"k,pk"`
	V   []byte `bun:"v,notnull"`
	Exp int64  `bun:"exp,notnull"`
}

// KV is a fiber.Storage on table kv, shared by all portal instances. The
// CSRF middleware and the rate limiter no longer use it (CSRF tokens need
// no storage; limits live in table throttles, whose keys no request can
// name); it stays for middlewares that need a shared fiber.Storage.
type KV struct {
	db bun.IDB
	s  *Store
}

var _ fiber.Storage = (*KV)(nil)

// KV returns the key-value storage. It always runs on the connection pool,
// also when called on a Store bound to a transaction, because middlewares
// keep it for the life of the process.
func (s *Store) KV() *KV { return &KV{db: s.root, s: s} }

func (kv *KV) nowUnix() int64 { return kv.s.Now().Unix() }

// Get returns the value stored under key, or nil (and no error) when
// there is none or it has expired.
func (kv *KV) Get(key string) ([]byte, error) {
	if key == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	var row kvRow
	err := kv.db.NewSelect().Model(&row).
		Where("k = ?", key).
		Where("exp = 0 OR exp > ?", kv.nowUnix()).
		Scan(ctx)
	if err := mapErr(err); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return row.V, nil
}

// Set stores val under key, replacing any earlier value. exp is the time
// to live (0 for ever), rounded up to whole seconds. An empty key or value
// is ignored.
func (kv *KV) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	var expires int64
	if exp > 0 {
		at := kv.s.Now().Add(exp)
		expires = at.Unix()
		if at.Nanosecond() > 0 {
			expires++
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	_, err := kv.db.NewInsert().Model(&kvRow{K: key, V: val, Exp: expires}).
		On("CONFLICT (k) DO UPDATE").
		Set("v = EXCLUDED.v, exp = EXCLUDED.exp").
		Exec(ctx)
	return mapErr(err)
}

// Delete removes key; a missing key is not an error.
func (kv *KV) Delete(key string) error {
	if key == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	_, err := kv.db.NewDelete().Model((*kvRow)(nil)).Where("k = ?", key).Exec(ctx)
	return mapErr(err)
}

// Reset removes every key.
func (kv *KV) Reset() error {
	ctx, cancel := context.WithTimeout(context.Background(), kvTimeout)
	defer cancel()
	_, err := kv.db.NewDelete().Model((*kvRow)(nil)).Where("1 = 1").Exec(ctx)
	return mapErr(err)
}

// Close does nothing: the Store owns the connection pool.
func (kv *KV) Close() error { return nil }

// GC deletes expired entries and returns how many it deleted. Run it
// periodically; Get already ignores expired entries.
func (kv *KV) GC(ctx context.Context) (int, error) {
	res, err := kv.db.NewDelete().Model((*kvRow)(nil)).
		Where("exp > 0 AND exp <= ?", kv.nowUnix()).
		Exec(ctx)
	return countRows(res, err)
}
