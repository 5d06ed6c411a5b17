package handlers

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMELoginDiagramIsTheStateFile checks that the README's login
// diagram and the header of login_state.go name the same arrows, and that
// each arrow's function is declared in login_state.go, so a reader finds
// every state change of the login in that one file.
func TestREADMELoginDiagramIsTheStateFile(t *testing.T) {
	src, err := os.ReadFile("login_state.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	code := string(src)
	header := regexp.MustCompile(`(?m)^//\t(\S+)\s+-->\s+(\S+)\s+(\w+)`).FindAllStringSubmatch(code, -1)
	var inFile []string
	for _, m := range header {
		inFile = append(inFile, m[1]+" --> "+m[2]+": "+m[3])
		if !strings.Contains(code, "func (h *Handler) "+m[3]+"(") {
			t.Errorf("login_state.go names the arrow %s --> %s %s but declares no such function", m[1], m[2], m[3])
		}
	}
	i := strings.Index(string(readme), "handlers/login_state.go")
	if i < 0 {
		t.Fatal("README does not point to handlers/login_state.go")
	}
	block := string(readme)[i:]
	block = block[strings.Index(block, "```mermaid"):]
	block = block[:strings.Index(block[3:], "```")+3]
	var inREADME []string
	for _, m := range regexp.MustCompile(`(?m)^\s+(\S+)\s+-->\s+(\S+):\s+(\w+)`).FindAllStringSubmatch(block, -1) {
		if strings.Contains(code, "func (h *Handler) "+m[3]+"(") { // "wrong (…)" is no arrow of the file
			inREADME = append(inREADME, m[1]+" --> "+m[2]+": "+m[3])
		}
	}
	slices.Sort(inFile)
	slices.Sort(inREADME)
	if len(inFile) < 8 || !slices.Equal(inFile, inREADME) {
		t.Errorf("login arrows differ:\nlogin_state.go: %q\nREADME:         %q", inFile, inREADME)
	}
}
