package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hwk/kundenportal/handlers"
	"github.com/hwk/kundenportal/store"
)

func runAudit(ctx context.Context, env Env, args []string) error {
	fs := newCommand(env, "audit", "audit [--email E] [--since T] [--event K] [--limit N] [--json]\n\n"+
		"Prints the audit log, newest first: time (UTC), event, account, client address,\n"+
		"browser (shortened) and details. The log never holds secrets.")
	email := fs.String("email", "", "only events of this e-mail address or its account")
	since := fs.String("since", "", "only events from this time on: 2026-12-01, 2026-12-01T08:00:00Z, or an age such as 24h")
	events := fs.String("event", "", "only these events, comma-separated (login.ok,login.failed)")
	limit := fs.Int("limit", 100, "at most this many events (0: all)")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := fs.parse(args); err != nil {
		return err
	}
	f := store.AuditFilter{Email: strings.TrimSpace(*email), Limit: *limit}
	if *since != "" {
		t, err := parseSince(*since, time.Now())
		if err != nil {
			return usageError("audit: " + err.Error())
		}
		f.Since = t
	}
	for _, e := range strings.Split(*events, ",") {
		if e = strings.TrimSpace(e); e != "" {
			f.Events = append(f.Events, e)
		}
	}
	if *limit < 0 {
		return usageError("audit: --limit must not be negative")
	}
	s, err := fs.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	evs, err := s.AuditEvents(ctx, f)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if *asJSON {
		return printAuditJSON(env, evs)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tEVENT\tEMAIL\tIP\tBROWSER\tDETAIL")
	for _, e := range evs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), e.Event, orDash(e.Email), orDash(e.IP), browser(e.UserAgent), e.Detail)
	}
	return tw.Flush()
}

// parseSince reads a date, a time or an age before now.
func parseSince(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q is not a date (2026-12-01), a time (2026-12-01T08:00:00Z) or an age (24h)", v)
}

func browser(ua string) string {
	if ua == "" {
		return "-"
	}
	return handlers.DeviceName(ua)
}

type auditLine struct {
	At      time.Time `json:"at"`
	Event   string    `json:"event"`
	UserID  string    `json:"user_id,omitempty"`
	Email   string    `json:"email,omitempty"`
	IP      string    `json:"ip,omitempty"`
	Browser string    `json:"browser,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

func printAuditJSON(env Env, evs []store.AuditEvent) error {
	enc := json.NewEncoder(env.Stdout)
	for _, e := range evs {
		l := auditLine{At: e.At.UTC(), Event: e.Event, Email: e.Email, IP: e.IP, Detail: e.Detail}
		if e.UserID != nil {
			l.UserID = e.UserID.String()
		}
		if e.UserAgent != "" {
			l.Browser = handlers.DeviceName(e.UserAgent)
		}
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
	}
	return nil
}

// orDash is s, or "-" for an empty column.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
