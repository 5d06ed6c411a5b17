// Package policy is the chamber's password policy: one evaluator for every
// form that sets a password, returning each rule's result by message id.
package policy

import (
	"bufio"
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Rule ids are also the message ids of the rules' texts.
const (
	RuleMinLength = "password.rule.min_length"
	RuleUpper     = "password.rule.upper"
	RuleLower     = "password.rule.lower"
	RuleDigit     = "password.rule.digit"
	RuleSpecial   = "password.rule.special"
	RuleNotCommon = "password.rule.not_common"
	RuleNotEmail  = "password.rule.not_email"
	RuleMatch     = "password.rule.match"
)

// MinLength is the least number of characters a password has.
const MinLength = 12

// Rules lists the rules in the order they are shown.
var Rules = []string{RuleMinLength, RuleUpper, RuleLower, RuleDigit, RuleSpecial, RuleNotCommon, RuleNotEmail, RuleMatch}

// RuleResult is one rule and whether the password meets it.
type RuleResult struct {
	ID string
	OK bool
}

// Result is the judgement of every rule.
type Result []RuleResult

// OK reports whether every rule is met.
func (r Result) OK() bool {
	for _, rr := range r {
		if !rr.OK {
			return false
		}
	}
	return len(r) > 0
}

// Failed lists the ids of the rules that are not met.
func (r Result) Failed() []string {
	var ids []string
	for _, rr := range r {
		if !rr.OK {
			ids = append(ids, rr.ID)
		}
	}
	return ids
}

// Met reports whether the rule id is met.
func (r Result) Met(id string) bool {
	for _, rr := range r {
		if rr.ID == id {
			return rr.OK
		}
	}
	return false
}

// Normalize brings a password into Unicode NFC, so "Ä" typed as one
// character or as A plus a combining mark is the same password. Hash and
// check the normalized form.
func Normalize(password string) string { return norm.NFC.String(password) }

// Check judges password (and its repetition confirm) against every rule.
// email is the account's address: a password containing its local part is
// refused.
func Check(password, confirm, email string) Result {
	pw := Normalize(password)
	var upper, lower, digit, special bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLetter(r):
			lower = lower || unicode.IsLower(r)
		case unicode.IsDigit(r):
			digit = true
		default:
			special = true
		}
	}
	return Result{
		{RuleMinLength, utf8.RuneCountInString(pw) >= MinLength},
		{RuleUpper, upper},
		{RuleLower, lower},
		{RuleDigit, digit},
		{RuleSpecial, special},
		{RuleNotCommon, pw != "" && !IsCommon(pw)},
		{RuleNotEmail, pw != "" && !containsEmail(pw, email)},
		{RuleMatch, pw != "" && pw == Normalize(confirm)},
	}
}

//go:embed common-passwords.txt
var commonList string

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

func commonSet() map[string]struct{} {
	commonOnce.Do(func() {
		common = make(map[string]struct{}, 33000)
		sc := bufio.NewScanner(strings.NewReader(commonList))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line != "" && line[0] != '#' {
				common[line] = struct{}{}
			}
		}
	})
	return common
}

// CommonCount is the number of entries on the shipped block list.
func CommonCount() int { return len(commonSet()) }

// IsCommon reports whether password is a common password, or a common
// password or word dressed up with digits, symbols or look-alike characters
// ("Passwort2024!", "S0mmer#1990", "!Handwerk123").
func IsCommon(password string) bool {
	set := commonSet()
	lower := strings.ToLower(Normalize(password))
	candidates := []string{lower, lettersOnly(lower), lettersOnly(unleet(trimEnds(lower)))}
	candidates = append(candidates, dominantWord(lower), dominantWord(unleet(lower)))
	for _, candidate := range candidates {
		if len([]rune(candidate)) < 4 {
			continue
		}
		if _, found := set[candidate]; found {
			return true
		}
	}
	return false
}

// trimEnds removes digits and symbols before the first and after the last
// letter: "2024passwort!!" becomes "passwort".
func trimEnds(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
}

var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "8", "b", "@", "a", "$", "s", "!", "i", "€", "e")

func unleet(s string) string { return leet.Replace(s) }

// dominantWord returns the longest run of letters when it holds at least
// two thirds of all letters ("passwort" in "passwort123!a"), so a common
// word with a stray letter is caught while a passphrase of several words
// is not judged by one of them.
func dominantWord(s string) string {
	runs := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	longest, total := "", 0
	for _, run := range runs {
		n := utf8.RuneCountInString(run)
		total += n
		if n > utf8.RuneCountInString(longest) {
			longest = run
		}
	}
	if total == 0 || 3*utf8.RuneCountInString(longest) < 2*total {
		return ""
	}
	return longest
}

func lettersOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, s)
}

// containsEmail reports whether password contains the local part of email,
// or one of its parts of four or more characters ("mustermann" of
// "max.mustermann@…"), ignoring case.
func containsEmail(password, email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return false
	}
	local := strings.ToLower(Normalize(email[:at]))
	pw := strings.ToLower(password)
	if utf8.RuneCountInString(local) >= 3 && strings.Contains(pw, local) {
		return true
	}
	for _, part := range strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if utf8.RuneCountInString(part) >= 4 && strings.Contains(pw, part) {
			return true
		}
	}
	return false
}
