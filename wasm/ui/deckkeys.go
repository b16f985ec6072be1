package ui

import "encoding/json"

// deckKeys are the keys a presenter, or a clicker, moves a slide deck with, by
// KeyboardEvent.key, with their key codes (which reveal.js's triggerKey takes). In
// embed mode none of them is the demo's: the space bar, which pauses the page
// elsewhere, moves the deck too (Play and Pause are the demo's button there).
var deckKeys = map[string]int{
	" ": 32, "PageUp": 33, "PageDown": 34, "End": 35, "Home": 36,
	"ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40,
}

// deckMessages returns what the page posts to the deck around it for a key pressed
// inside it: reveal.js's command to act as if the key were pressed on the deck (its
// postMessage API), and, for any other deck, a plain description of the key. ok is
// false for a key the deck does not get.
func deckMessages(key, code string) (messages []any, ok bool) {
	keyCode, ok := deckKeys[key]
	if !ok {
		return nil, false
	}
	reveal, _ := json.Marshal(map[string]any{"method": "triggerKey", "args": []int{keyCode}})
	return []any{string(reveal), map[string]any{"type": "lwf-key", "key": key, "code": code, "keyCode": keyCode}}, true
}
