package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hwk/kundenportal/store"
)

// templateLock is the advisory lock key under which test processes build
// the template database one at a time.
const templateLock = 7_351_001

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// template returns the name of a database migrated by this binary's
// migration set, building it on first use. Its name carries the set's
// fingerprint, so processes with the same migrations share it and a
// changed migration gets a new one; templates of other sets made before
// today are dropped.
func template() (string, error) {
	templateOnce.Do(func() { templateName, templateErr = buildTemplate(context.Background()) })
	return templateName, templateErr
}

func buildTemplate(ctx context.Context) (string, error) {
	day := time.Now().UTC().Format("20060102")
	name := "portal_tmpl_" + day + "_" + store.MigrationsFingerprint()[:16]
	admin, err := store.Open(ctx, ServerURL())
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.DB().Conn(ctx) // the advisory lock belongs to one connection
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", templateLock); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", templateLock) //nolint:errcheck
	var names []string
	rows, err := conn.QueryContext(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'portal\\_tmpl\\_%'")
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return "", err
		}
		names = append(names, n)
	}
	rows.Close()
	found := false
	for _, n := range names {
		switch {
		case n == name:
			found = true
		case n < "portal_tmpl_"+day: // yesterday's or older: no test of today copies it
			conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n) //nolint:errcheck // in use: next time
		}
	}
	if found {
		return name, nil
	}
	building := name + "_b"
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	u, err := databaseURL(building)
	if err != nil {
		return "", err
	}
	s, err := store.Open(ctx, u)
	if err != nil {
		return "", err
	}
	err = s.Migrate(ctx)
	s.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

// execRetrying runs a CREATE DATABASE, retrying while PostgreSQL says the
// template is busy (another copy of it is being made).
func execRetrying(ctx context.Context, admin *store.Store, stmt string) error {
	var err error
	for range 50 {
		if _, err = admin.DB().ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "is being accessed by other users") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}
