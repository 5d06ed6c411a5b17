package handlers

import _ "embed"

// berlinZone is the chamber's time zone, Europe/Berlin, from the IANA time
// zone database (public domain; zoneinfo/Europe_Berlin is the compiled
// file of tzdata 2025b). It is embedded so the portal needs no system
// zoneinfo, at 2 kB rather than the 450 kB of all zones (time/tzdata).
// The rules have been the EU's since 1996; refresh the file when they
// change.
//
//go:embed zoneinfo/Europe_Berlin
var berlinZone []byte
