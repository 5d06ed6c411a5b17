package keys_test

import (
	"bytes"
	"testing"

	"github.com/hwk/kundenportal/handlers/keys"
)

func TestEveryPurposeGetsItsOwnKey(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	a, err := keys.Derive(secret, keys.CSRF)
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.Derive(secret, keys.Device)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := keys.Derive(secret, keys.CSRF)
	if bytes.Equal(a, b) || bytes.Equal(a, secret) || len(a) != keys.Size {
		t.Errorf("keys not separated: csrf %x, device %x", a, b)
	}
	if !bytes.Equal(a, again) {
		t.Error("the same purpose gave two keys: instances would not share tokens")
	}
	if _, err := keys.Derive(secret[:16], keys.CSRF); err == nil {
		t.Error("a 16-byte secret was accepted")
	}
}
