package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// formPaths are the forms an anonymous browser or one in the middle of a
// login can post; every one decodes its fields itself.
var formPaths = []string{"/login", "/recovery", "/register", "/password/check", "/recovery/confirm", "/invite/confirm", "/register/confirm", "/password"}

// FuzzFormsNeverFail posts arbitrary field values to every form decoder:
// whatever comes in, the answer is a page or a redirect, never a 500.
func FuzzFormsNeverFail(f *testing.F) {
	p := newPortal(f)
	c := p.client(f)
	c.getOK("/login")
	f.Add(uint8(0), "kunde@example.de", "Falsch-geraten1!", "")
	f.Add(uint8(1), "kunde\x00@example.de", "", "")
	f.Add(uint8(4), "", "", "kaputt\x00token")
	f.Add(uint8(3), "", "\xff\xfe", "")
	p.Logs.stop() // the portal's log lines must not go to f.Log inside the target
	f.Fuzz(func(t *testing.T, which uint8, email, pw, token string) {
		path := formPaths[int(which)%len(formPaths)]
		form := url.Values{"email": {email}, "password": {pw}, "new_password": {pw}, "confirm_password": {pw}, "token": {token}, "next": {token}, "_csrf": {c.csrf}}
		res, err := p.App.Test(postRequest(t, c, path, form), -1)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("POST %s with %q/%q/%q: status %d", path, email, pw, token, res.StatusCode)
		}
	})
}

func postRequest(t *testing.T, c *client, path string, form url.Values) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, baseURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range c.cookies {
		r.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	return r
}
