package totp

import (
	"strings"
	"testing"
	"time"
)

func TestVerifyAcceptsOneStepOfDriftAndReportsTheStep(t *testing.T) {
	k, err := Generate("Kundenportal", "anna.müller@example.de")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 10, 0, 15, 0, time.UTC)
	cur := now.Unix() / Period
	cases := []struct {
		name   string
		offset time.Duration
		ok     bool
		step   int64
	}{
		{"current step", 0, true, cur},
		{"previous step", -Period * time.Second, true, cur - 1},
		{"next step", Period * time.Second, true, cur + 1},
		{"two steps old", -2 * Period * time.Second, false, 0},
		{"two steps ahead", 2 * Period * time.Second, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, err := Code(k.Secret, now.Add(c.offset))
			if err != nil {
				t.Fatal(err)
			}
			step, ok := Verify(k.Secret, code, now)
			if ok != c.ok || step != c.step {
				t.Errorf("Verify = %d, %v; want %d, %v", step, ok, c.step, c.ok)
			}
		})
	}
}

func TestVerifyToleratesSpacesAndRefusesJunk(t *testing.T) {
	k, _ := Generate("Kundenportal", "a@example.de")
	now := time.Now()
	code, _ := Code(k.Secret, now)
	if _, ok := Verify(k.Secret, code[:3]+" "+code[3:], now); !ok {
		t.Error("a code typed with a space was refused")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := Verify(k.Secret, bad, now); ok {
			t.Errorf("Verify(%q) accepted", bad)
		}
	}
}

func TestGenerateGivesQRCodeAndURL(t *testing.T) {
	k, err := Generate("Kundenportal", "anna.müller@example.de")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.QR, "data:image/png;base64,") || len(k.QR) < 1000 {
		t.Errorf("QR = %.40q…", k.QR)
	}
	if !strings.HasPrefix(k.URL, "otpauth://totp/Kundenportal:anna.m%C3%BCller@example.de?") || !strings.Contains(k.URL, "secret="+k.Secret) {
		t.Errorf("URL = %q", k.URL)
	}
	if g := Group("JBSWY3DPEHPK3PXP"); g != "JBSW Y3DP EHPK 3PXP" {
		t.Errorf("Group = %q", g)
	}
}
