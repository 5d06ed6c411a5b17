package mailer_test

import (
	"os"
	"testing"

	"github.com/hwk/kundenportal/store/storetest"
)

// TestMain lets each test's PostgreSQL database, emptied, serve the next
// test, and drops them all at the end (storetest.Run).
func TestMain(m *testing.M) { os.Exit(storetest.Run(m)) }
