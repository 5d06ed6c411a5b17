package handlers

import (
	"testing"
	"time"
)

// TestBerlinZoneKnowsSummerTime: the embedded zone gives +1 h in winter
// and +2 h in summer, switching on the last Sunday of March.
func TestBerlinZoneKnowsSummerTime(t *testing.T) {
	loc, err := time.LoadLocationFromTZData("Europe/Berlin", berlinZone)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at     time.Time
		offset int
	}{
		{time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), 3600},
		{time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), 7200},
		{time.Date(2027, 3, 28, 0, 59, 0, 0, time.UTC), 3600},
		{time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC), 7200},
	} {
		if _, off := c.at.In(loc).Zone(); off != c.offset {
			t.Errorf("%s in Berlin: offset %d s, want %d", c.at, off, c.offset)
		}
	}
}
