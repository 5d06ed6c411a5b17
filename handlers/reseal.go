package handlers

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/hwk/kundenportal/handlers/sealed"
	"github.com/hwk/kundenportal/handlers/totp"
	"github.com/hwk/kundenportal/store"
)

// resealBatch is how many TOTP secrets one transaction of
// ResealLegacySecrets re-seals.
const resealBatch = 200

// ResealResult counts what ResealLegacySecrets did.
type ResealResult struct {
	Resealed int // sealed again with the derived key, bound to their row
	Skipped  int // changed meanwhile (re-sealed on use, or removed)
	Failed   int // did not open with this secret key: left as they are
}

// ResealLegacySecrets seals every TOTP secret still sealed the old way (the
// secret key itself, associated data "totp") again with the key derived for
// sealing and bound to its row, in transactions of resealBatch rows. It is
// idempotent: a second run finds nothing to do. A row that does not open
// with secretKey is counted, not changed, and does not stop the run.
//
// Recovery codes need no step: they are HMAC hashes, not sealed values, and
// the old hash of a code cannot be turned into the new one without the code;
// an unused code hashed the old way still verifies (codes.Hasher.Hashes).
func ResealLegacySecrets(ctx context.Context, s *store.Store, secretKey []byte) (ResealResult, error) {
	var res ResealResult
	sealer, err := sealed.New(secretKey)
	if err != nil {
		return res, err
	}
	after := uuid.Nil
	for {
		var n int
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			ms, err := tx.MethodsSealedWithout(ctx, sealed.Prefix, after, resealBatch)
			if err != nil {
				return err
			}
			n = len(ms)
			for _, m := range ms {
				after = m.ID
				ad := totp.MethodAD(m.UserID.String(), m.ID.String())
				secret, legacy, err := sealer.Open(m.Secret, ad)
				if err != nil || !legacy {
					res.Failed++
					continue
				}
				sealed, err := sealer.Seal(secret, ad)
				if err != nil {
					return err
				}
				ok, err := tx.SwapMethodSecret(ctx, m.ID, m.Secret, sealed)
				if err != nil {
					return err
				}
				if ok {
					res.Resealed++
				} else {
					res.Skipped++
				}
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("reseal totp secrets: %w", err)
		}
		if n < resealBatch {
			return res, nil
		}
	}
}
