//go:build js && wasm

package bridge

import (
	"sync/atomic"
	"syscall/js"
)

var live atomic.Int64

// FuncOf is js.FuncOf, counted until Release, so that a long run can show it leaks
// no callbacks.
func FuncOf(fn func(this js.Value, args []js.Value) any) js.Func {
	live.Add(1)
	return js.FuncOf(fn)
}

// Release frees a function made by FuncOf.
func Release(f js.Func) {
	live.Add(-1)
	f.Release()
}

// LiveFuncs returns how many functions made by FuncOf are not released.
func LiveFuncs() int64 { return live.Load() }
