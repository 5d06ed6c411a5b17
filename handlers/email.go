package handlers

// ValidEmail reports whether s is an e-mail address the portal accepts:
// the same check as the forms and `portal invite` use.
func ValidEmail(s string) bool {
	_, errs := parseEmail(s)
	return errs == nil
}
