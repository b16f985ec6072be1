package ui

import "github.com/nofeedback/lwf/wasm/protocol"

// rollUp is the page's status from its runs' (a race has several): loading while
// any loads, training while any trains, failed when every run failed (or the
// settings are bad), done when every run ended, ready when every run that did not
// fail is ready, and paused otherwise.
func rollUp(valid bool, states []protocol.State) protocol.State {
	count := map[protocol.State]int{}
	for _, s := range states {
		count[s]++
	}
	n := len(states)
	switch {
	case !valid:
		return protocol.Failed
	case count[protocol.Loading] > 0:
		return protocol.Loading
	case count[protocol.Training] > 0:
		return protocol.Training
	case count[protocol.Failed] == n:
		return protocol.Failed
	case count[protocol.Done]+count[protocol.Failed] == n:
		return protocol.Done
	case count[protocol.Ready]+count[protocol.Failed] == n:
		return protocol.Ready
	}
	return protocol.Paused
}
