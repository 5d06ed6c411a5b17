// Package benchload is the portal's load benchmark, run by `make
// bench-load`: it builds nothing itself; it starts the built binary on a
// scratch database, creates a customer through the registration pages,
// drives it with wrk and with concurrent logins, and prints the table of
// the README's "Performance" section. The driver is a test behind the
// benchload build tag (go test -tags benchload), so it can use the
// project's SMTP sink and scratch PostgreSQL databases.
package benchload
