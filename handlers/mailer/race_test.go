package mailer_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwk/kundenportal/handlers/mailer"
	"github.com/hwk/kundenportal/handlers/mailer/smtptest"
	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

// openTwice opens two stores (two connection pools, as two portal
// instances would have) on one migrated database.
func openTwice(t *testing.T, dsn string) (*store.Store, *store.Store) {
	t.Helper()
	ctx := context.Background()
	var stores [2]*store.Store
	for i := range stores {
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatalf("open store %d: %v", i, err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	if err := stores[0].Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return stores[0], stores[1]
}

func TestTwoSendersOnOneDatabaseSendEachMailExactlyOnce(t *testing.T) {
	cases := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"postgres", func(t *testing.T) string { return storetest.PostgresURL(t) }},
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "portal.db") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const mails = 30
			a, b := openTwice(t, c.dsn(t))
			sink := smtptest.Start(t)
			want := map[string]bool{}
			for i := range mails {
				subject := fmt.Sprintf("Mail %02d", i)
				want[subject] = true
				enqueue(t, a, fmt.Sprintf("kunde%02d@example.de", i), subject)
			}
			senders := []*mailer.Sender{
				mailer.New(a, newSMTP(t, sink.URL()), mailer.Options{Worker: "instance-a", Batch: 2, Logger: quietLogger()}),
				mailer.New(b, newSMTP(t, sink.URL()), mailer.Options{Worker: "instance-b", Batch: 2, Logger: quietLogger()}),
			}

			var sent atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, snd := range senders {
				for range 3 { // several passes of each instance overlap
					wg.Go(func() {
						<-start
						n, err := snd.DeliverDue(context.Background())
						if err != nil {
							t.Errorf("%s: DeliverDue: %v", snd.Worker(), err)
						}
						sent.Add(int64(n))
					})
				}
			}
			close(start)
			wg.Wait()

			if sent.Load() != mails {
				t.Errorf("senders report %d sent, want %d", sent.Load(), mails)
			}
			got := sink.WaitFor(t, mails, 5*time.Second)
			time.Sleep(100 * time.Millisecond) // a duplicate would arrive by now
			got = sink.Messages()
			if len(got) != mails {
				t.Fatalf("sink has %d mails, want exactly %d", len(got), mails)
			}
			ids := map[string]bool{}
			for _, m := range got {
				if !want[m.Subject] || ids[m.MessageID] {
					t.Fatalf("unexpected or duplicate mail %q (%s)", m.Subject, m.MessageID)
				}
				ids[m.MessageID] = true
				delete(want, m.Subject)
			}
			if n, err := b.PendingMailCount(context.Background()); err != nil || n != 0 {
				t.Fatalf("pending after both senders = %d, %v", n, err)
			}
		})
	}
}
