package ui

// rollUp is the page's status from its runs' (a race has several): loading while
// any loads, training while any trains, error when every run failed (or the settings
// are bad), done when every run ended, ready when every run that did not fail is
// ready, and paused otherwise.
func rollUp(valid bool, statuses []string) string {
	count := map[string]int{}
	for _, s := range statuses {
		count[s]++
	}
	n := len(statuses)
	switch {
	case !valid:
		return "error"
	case count["loading"] > 0:
		return "loading"
	case count["training"] > 0:
		return "training"
	case count["error"] == n:
		return "error"
	case count["done"]+count["error"] == n:
		return "done"
	case count["ready"]+count["error"] == n:
		return "ready"
	}
	return "paused"
}
