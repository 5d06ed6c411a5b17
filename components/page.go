package components

// splitChars splits s into its characters, so that a list of symbols such
// as the example special characters can be shown one by one.
func splitChars(s string) []string {
	chars := make([]string, 0, len(s))
	for _, r := range s {
		chars = append(chars, string(r))
	}
	return chars
}
