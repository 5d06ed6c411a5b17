// Package policy is the chamber's password policy: one evaluator for every
// form that sets a password, returning each rule's result by message id.
package policy

import (
	"bufio"
	_ "embed"
	"slices"
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

// RuleResult is one rule and whether the password meets it. Reason says
// why the rule is not met where a rule has several reasons (the message id
// of that reason; empty otherwise).
type RuleResult struct {
	ID     string
	OK     bool
	Reason string
}

// Reasons a password is too easy to guess (RuleNotCommon). They are also
// the message ids of the errors that say so.
const (
	// ReasonCommonPassword: the password as typed (ignoring case) is on
	// the block list ("Password123!", "qwertz123456").
	ReasonCommonPassword = "password.error.common_password"
	// ReasonCommonWord: a single common word dressed up with digits,
	// symbols, look-alike characters or case ("Passwort123!",
	// "Handwerk2024!!", "P@ssw0rt").
	ReasonCommonWord = "password.error.common_word"
)

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
		{ID: RuleMinLength, OK: utf8.RuneCountInString(pw) >= MinLength},
		{ID: RuleUpper, OK: upper},
		{ID: RuleLower, OK: lower},
		{ID: RuleDigit, OK: digit},
		{ID: RuleSpecial, OK: special},
		notCommon(pw),
		{ID: RuleNotEmail, OK: pw != "" && !containsEmail(pw, email)},
		{ID: RuleMatch, OK: pw != "" && pw == Normalize(confirm)},
	}
}

func notCommon(pw string) RuleResult {
	if pw == "" {
		return RuleResult{ID: RuleNotCommon}
	}
	reason := Guessable(pw)
	return RuleResult{ID: RuleNotCommon, OK: reason == "", Reason: reason}
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

// IsCommon reports whether password is too easy to guess: a common
// password, or a single common word dressed up with digits, symbols,
// look-alike characters or case ("Passwort2024!", "S0mmer#1990",
// "!Handwerk123"). A passphrase of several words ("Werkstatt Tor 99!") is
// not judged by one of its words.
func IsCommon(password string) bool { return Guessable(password) != "" }

// Guessable judges how guessable password is and returns why it is too
// easy to guess (ReasonCommonPassword or ReasonCommonWord), or "" when it
// is not. It strips leading and trailing digits and symbols, undoes
// look-alike characters ("@" for "a", "0" for "o") and case, and checks
// what is left against the block list. Only a password of one word is
// judged by that word: with two or more different words of at least three
// letters (a passphrase) only the whole is checked.
func Guessable(password string) string {
	set := commonSet()
	lower := strings.ToLower(Normalize(password))
	onList := func(candidates ...string) bool {
		for _, candidate := range candidates {
			if utf8.RuneCountInString(candidate) < 4 {
				continue
			}
			if _, found := set[candidate]; found {
				return true
			}
		}
		return false
	}
	if onList(lower, strings.TrimSpace(lower)) {
		return ReasonCommonPassword
	}
	if onList(lettersOnly(lower), lettersOnly(unleet(trimEnds(lower)))) {
		return ReasonCommonWord
	}
	words := wordsOf(lower)
	if len(words) >= 2 {
		return ""
	}
	if onList(append(words, dominantWord(lower), dominantWord(unleet(lower)))...) {
		return ReasonCommonWord
	}
	return ""
}

// wordsOf lists the different words of at least three letters in s,
// words being parts between spaces or separators ("-", "_", ".", ",",
// "/", "+", ";", ":") with look-alike characters undone and leading and
// trailing digits and symbols removed: "werkstatt tor 99!" has two,
// "passwort2024!" and "p@ssw0rt passwort" one.
func wordsOf(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("-_.,/+;:", r)
	})
	var words []string
	for _, p := range parts {
		w := lettersOnly(unleet(trimEnds(p)))
		if utf8.RuneCountInString(w) >= 3 && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return words
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
