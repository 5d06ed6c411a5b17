package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hwk/kundenportal/store"
	"github.com/hwk/kundenportal/store/storetest"
)

func newCompany(t *testing.T, s *store.Store, number, name string) *store.Company {
	t.Helper()
	c := &store.Company{Number: number, Name: name, Street: "Hauptstr. 1", Postcode: "97070", City: "Würzburg"}
	if res, err := s.SaveCompany(context.Background(), c); err != nil || res != store.CompanyAdded {
		t.Fatalf("SaveCompany(%s) = %q, %v", number, res, err)
	}
	return c
}

func TestSaveCompanyAddsChangesAndLeavesAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := newCompany(t, s, "1000001", "Bäckerei Huber")
		same := &store.Company{Number: "1000001", Name: "Bäckerei Huber", Street: "Hauptstr. 1", Postcode: "97070", City: "Würzburg"}
		if res, err := s.SaveCompany(ctx, same); err != nil || res != store.CompanyUnchanged || same.ID != c.ID {
			t.Fatalf("same data: %q, %v, id %v want %v", res, err, same.ID, c.ID)
		}
		moved := *same
		moved.City = "Schweinfurt"
		if res, err := s.SaveCompany(ctx, &moved); err != nil || res != store.CompanyChanged {
			t.Fatalf("changed city: %q, %v", res, err)
		}
		got, err := s.CompanyByNumber(ctx, "1000001")
		if err != nil || got.City != "Schweinfurt" {
			t.Fatalf("CompanyByNumber = %+v, %v", got, err)
		}
		if _, err := s.CompanyByNumber(ctx, "9"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown number: %v, want ErrNotFound", err)
		}
		newCompany(t, s, "1000002", "Malerbetrieb Schmitt")
		found, err := s.SearchCompanies(ctx, "MALER", 0)
		if err != nil || len(found) != 1 || found[0].Number != "1000002" {
			t.Fatalf("SearchCompanies(MALER) = %+v, %v", found, err)
		}
	})
}

func TestLinkedCompaniesAreOrderedByNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "inhaber@example.de")
		other := newUser(t, s, "andere@example.de")
		b := newCompany(t, s, "2000002", "B")
		a := newCompany(t, s, "2000001", "A")
		for _, c := range []*store.Company{b, a} {
			if made, err := s.LinkCompany(ctx, u.ID, c.ID); err != nil || !made {
				t.Fatalf("LinkCompany: %v, %v", made, err)
			}
		}
		if made, err := s.LinkCompany(ctx, u.ID, a.ID); err != nil || made {
			t.Fatalf("second LinkCompany: made=%v, %v; want false, nil", made, err)
		}
		if _, err := s.LinkCompany(ctx, other.ID, a.ID); err != nil {
			t.Fatalf("a business links to several accounts: %v", err)
		}
		got, err := s.LinkedCompanies(ctx, u.ID)
		if err != nil || len(got) != 2 || got[0].Number != "2000001" || got[1].Number != "2000002" {
			t.Fatalf("LinkedCompanies = %+v, %v", got, err)
		}
		if err := s.UnlinkCompany(ctx, u.ID, a.ID); err != nil {
			t.Fatalf("UnlinkCompany: %v", err)
		}
		if ok, err := s.IsLinked(ctx, u.ID, a.ID); err != nil || ok {
			t.Fatalf("IsLinked after unlink = %v, %v", ok, err)
		}
		if err := s.UnlinkCompany(ctx, u.ID, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second UnlinkCompany = %v, want ErrNotFound", err)
		}
	})
}

func TestPINFlowLocksAfterMaxWrongTries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock := setClock(s)
		u := newUser(t, s, "kunde@example.de")
		c := newCompany(t, s, "3000001", "Tischlerei")
		if made, err := s.RequestPIN(ctx, u.ID, c.ID); err != nil || !made {
			t.Fatalf("RequestPIN: %v, %v", made, err)
		}
		if made, _ := s.RequestPIN(ctx, u.ID, c.ID); made {
			t.Fatal("a second pending request for the same business was stored")
		}
		pending, err := s.PendingPINRequests(ctx)
		if err != nil || len(pending) != 1 || pending[0].Email != "kunde@example.de" || pending[0].Number != "3000001" {
			t.Fatalf("PendingPINRequests = %+v, %v", pending, err)
		}
		old, err := s.IssuePIN(ctx, c.ID, nil, []byte("old-hash"), 60*24*time.Hour)
		if err != nil {
			t.Fatalf("IssuePIN: %v", err)
		}
		f, err := s.IssuePIN(ctx, c.ID, nil, []byte("new-hash"), 60*24*time.Hour)
		if err != nil {
			t.Fatalf("second IssuePIN: %v", err)
		}
		if n, err := s.AnswerPINRequests(ctx, c.ID, nil); err != nil || n != 1 {
			t.Fatalf("AnswerPINRequests = %d, %v", n, err)
		}
		if err := s.FinishFlow(ctx, old.ID, &u.ID); !errors.Is(err, store.ErrFlowNotOpen) {
			t.Fatalf("older PIN after a new one = %v, want ErrPINNotOpen", err)
		}
		for i := 1; i <= 5; i++ {
			n, err := s.FailFlow(ctx, f.ID, 5)
			if err != nil || n != i {
				t.Fatalf("FailFlow #%d = %d, %v", i, n, err)
			}
		}
		if n, err := s.FailFlow(ctx, f.ID, 5); !errors.Is(err, store.ErrFlowNotOpen) {
			t.Fatalf("FailFlow on a locked PIN = %d, %v; want ErrFlowNotOpen", n, err)
		}
		latest, err := s.LatestPIN(ctx, c.ID)
		if err != nil || latest.State != store.FlowLocked || latest.Valid(s.Now()) || latest.ID != f.ID {
			t.Fatalf("LatestPIN after 5 wrong = %+v, %v", latest, err)
		}
		if err := s.FinishFlow(ctx, f.ID, &u.ID); !errors.Is(err, store.ErrFlowNotOpen) {
			t.Fatalf("locked PIN used: %v", err)
		}
		g, _ := s.IssuePIN(ctx, c.ID, nil, []byte("third"), time.Hour)
		clock.advance(2 * time.Hour)
		if err := s.FinishFlow(ctx, g.ID, &u.ID); !errors.Is(err, store.ErrFlowNotOpen) {
			t.Fatalf("expired PIN used: %v", err)
		}
		h, _ := s.IssuePIN(ctx, c.ID, nil, []byte("fourth"), time.Hour)
		if err := s.FinishFlow(ctx, h.ID, &u.ID); err != nil {
			t.Fatalf("FinishFlow: %v", err)
		}
		if err := s.FinishFlow(ctx, h.ID, &u.ID); !errors.Is(err, store.ErrFlowNotOpen) {
			t.Fatalf("PIN used twice: %v", err)
		}
	})
}
