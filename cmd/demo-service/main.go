// Command demo-service is a minimal chamber service that logs its users in
// through the Kundenportal (OpenID Connect, with coreos/go-oidc and
// x/oauth2) and shows the businesses their account is linked to.
//
//	portal clients add --id demo --name "Demo-Dienst" --first-party --may-ask-businesses \
//	    --redirect-uri http://localhost:9090/callback --post-logout-uri http://localhost:9090/
//	DEMO_CLIENT_SECRET=… go run ./cmd/demo-service
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// claims is what the service reads from the ID token and userinfo.
type claims struct {
	Name       string   `json:"name"`
	Email      string   `json:"email"`
	AMR        []string `json:"amr"`
	ACR        string   `json:"acr"`
	Businesses []struct {
		Number string `json:"number"`
		Name   string `json:"name"`
	} `json:"businesses"`
}

func main() {
	ctx := context.Background()
	issuer := env("DEMO_ISSUER", "http://localhost:8080")
	self := env("DEMO_URL", "http://localhost:9090")
	provider, err := oidc.NewProvider(ctx, issuer) // reads /.well-known/openid-configuration
	if err != nil {
		log.Fatalf("demo-service: discovery at %s: %v", issuer, err)
	}
	conf := oauth2.Config{
		ClientID: env("DEMO_CLIENT_ID", "demo"), ClientSecret: os.Getenv("DEMO_CLIENT_SECRET"),
		Endpoint: provider.Endpoint(), RedirectURL: self + "/callback",
		Scopes: []string{oidc.ScopeOpenID, "profile", "email", "businesses"},
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: conf.ClientID, SupportedSigningAlgs: []string{oidc.ES256}})

	http.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { show(w, nil) })
	http.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		state, nonce, pkce := random(), random(), oauth2.GenerateVerifier()
		remember(w, "state", state)
		remember(w, "nonce", nonce)
		remember(w, "pkce", pkce)
		http.Redirect(w, r, conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(pkce)), http.StatusFound)
	})
	http.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("state") != cookie(r, "state") {
			http.Error(w, "Anmeldung abgelehnt oder abgelaufen: "+r.URL.Query().Get("error"), http.StatusBadRequest)
			return
		}
		tok, err := conf.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(cookie(r, "pkce")))
		if err != nil {
			http.Error(w, "Code ungültig", http.StatusBadGateway)
			return
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := verifier.Verify(r.Context(), raw) // signature, issuer, audience, expiry
		if err != nil || idt.Nonce != cookie(r, "nonce") {
			http.Error(w, "ID-Token ungültig", http.StatusBadGateway)
			return
		}
		var c claims
		_ = idt.Claims(&c)
		if info, err := provider.UserInfo(r.Context(), oauth2.StaticTokenSource(tok)); err == nil {
			_ = info.Claims(&c) // the businesses, as of now
		}
		show(w, &c)
	})
	addr := env("DEMO_ADDR", "127.0.0.1:9090")
	log.Printf("demo-service on %s, logging in through %s", self, issuer)
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Demo-Dienst</title></head><body><main>
<h1>Demo-Dienst der Handwerkskammer</h1>
{{if .}}<p>Angemeldet als {{.Name}} ({{.Email}}), Anmeldung: {{range .AMR}}{{.}} {{end}}({{.ACR}})</p>
<h2>Verknüpfte Betriebe</h2>
<ul>{{range .Businesses}}<li>{{.Number}} – {{.Name}}</li>{{else}}<li>keine</li>{{end}}</ul>
{{else}}<p><a href="/login">Mit dem Kundenportal anmelden</a></p>{{end}}
</main></body></html>`))

func show(w http.ResponseWriter, c *claims) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, c); err != nil {
		log.Printf("demo-service: render: %v", err)
	}
}

func remember(w http.ResponseWriter, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func cookie(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
