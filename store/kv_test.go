package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func TestKV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clock := setClock(s)
		kv := s.KV()
		set := func(t *testing.T, k, v string, exp time.Duration) {
			t.Helper()
			if err := kv.Set(k, []byte(v), exp); err != nil {
				t.Fatalf("Set(%q): %v", k, err)
			}
		}
		cases := []struct {
			name string
			act  func(t *testing.T)
			key  string
			want []byte // nil: missing
		}{
			{"value round-trips", func(t *testing.T) { set(t, "a", "1", 0) }, "a", []byte("1")},
			{"set replaces the value and expiry", func(t *testing.T) {
				set(t, "b", "old", time.Second)
				set(t, "b", "new", 0)
				clock.advance(time.Hour)
			}, "b", []byte("new")},
			{"missing key is nil without error", func(t *testing.T) {}, "nope", nil},
			{"value is there until its expiry", func(t *testing.T) {
				set(t, "c", "x", 10*time.Second)
				clock.advance(9 * time.Second)
			}, "c", []byte("x")},
			{"expired value is nil", func(t *testing.T) {
				set(t, "d", "x", 10*time.Second)
				clock.advance(11 * time.Second)
			}, "d", nil},
			{"empty value is ignored", func(t *testing.T) {
				set(t, "e", "keep", 0)
				set(t, "e", "", 0)
			}, "e", []byte("keep")},
			{"empty key is ignored", func(t *testing.T) { set(t, "", "x", 0) }, "", nil},
			{"delete removes the key", func(t *testing.T) {
				set(t, "f", "x", 0)
				if err := kv.Delete("f"); err != nil {
					t.Fatal(err)
				}
			}, "f", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				c.act(t)
				got, err := kv.Get(c.key)
				if err != nil || !bytes.Equal(got, c.want) || (got == nil) != (c.want == nil) {
					t.Fatalf("Get(%q) = %q, %v; want %q", c.key, got, err, c.want)
				}
			})
		}
		if err := kv.Delete("never-set"); err != nil {
			t.Errorf("Delete of a missing key: %v", err)
		}
		if err := kv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

func TestKVGCAndReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		kv := s.KV()
		for k, exp := range map[string]time.Duration{"gone1": time.Second, "gone2": time.Minute, "stays": time.Hour, "forever": 0} {
			if err := kv.Set(k, []byte("v"), exp); err != nil {
				t.Fatal(err)
			}
		}
		clock.advance(2 * time.Minute)
		n, err := kv.GC(ctx)
		if err != nil || n != 2 {
			t.Fatalf("GC = %d, %v; want 2 expired rows", n, err)
		}
		var rows int
		if err := s.DB().NewSelect().TableExpr("kv").ColumnExpr("count(*)").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		if rows != 2 {
			t.Fatalf("rows after GC = %d, want 2", rows)
		}
		if err := kv.Reset(); err != nil {
			t.Fatalf("Reset: %v", err)
		}
		for _, k := range []string{"stays", "forever"} {
			if v, err := kv.Get(k); err != nil || v != nil {
				t.Errorf("Get(%q) after Reset = %q, %v; want nil", k, v, err)
			}
		}
	})
}
