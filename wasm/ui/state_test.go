package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nofeedback/lwf/wasm/protocol"
)

// play runs actions through Update from s, checking after each that the state
// Update was given is left as it was, and returns the state and every command.
func play(t *testing.T, s State, actions ...Action) (State, []Command) {
	t.Helper()
	var all []Command
	for _, a := range actions {
		before := append([]RunState(nil), s.Runs...)
		next, cmds := Update(s, a)
		require.Equal(t, before, s.Runs, "Update changed the state it was given")
		s, all = next, append(all, cmds...)
	}
	return s, all
}

// opened is a page of n runs whose workers said hello and built their runs.
func opened(t *testing.T, n int, autoplay bool) State {
	s := NewState(n, autoplay, "")
	for i := range n {
		s, _ = play(t, s, Action{Kind: WorkerHello, Run: i},
			Action{Kind: WorkerBuilt, Run: i, Gen: 1},
			Action{Kind: WorkerSnapshot, Run: i, Gen: 1, Phase: protocol.Paused, Steps: 0})
	}
	return s
}

func kinds(cmds []Command) []protocol.Kind {
	var out []protocol.Kind
	for _, c := range cmds {
		out = append(out, c.Kind)
	}
	return out
}

func TestPlayPressedWhileLoadingStartsTheRunWhenBuilt(t *testing.T) {
	s := NewState(1, false, "")
	s, cmds := play(t, s, Action{Kind: WorkerHello})
	require.Equal(t, []Command{{Run: 0, Kind: protocol.Start, Gen: 1}}, cmds)
	assert.Equal(t, protocol.Loading, s.Status())
	assert.True(t, s.CanPlay(), "Play is pressable while the data loads")
	assert.False(t, s.CanStep(), "Step is not: there is no network yet")

	s, cmds = play(t, s, Action{Kind: PressPlay})
	assert.True(t, s.Play, "the press is kept")
	assert.Empty(t, cmds, "nothing to send to a run that is not built")
	s, cmds = play(t, s, Action{Kind: WorkerBuilt, Gen: 1}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Paused})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.Play}}, cmds, "built: it trains now")
	assert.Equal(t, protocol.Ready, s.Status())
	s, cmds = play(t, s, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Paused})
	assert.Empty(t, cmds, "a second snapshot in flight does not ask again")
	s, _ = play(t, s, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 3})
	assert.Equal(t, protocol.Training, s.Status())
}

func TestAutoplayStartsTrainingInTheStartItself(t *testing.T) {
	s, cmds := play(t, NewState(1, true, ""), Action{Kind: WorkerHello})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.Start, Gen: 1, Autoplay: true}}, cmds)
	_, cmds = play(t, s, Action{Kind: WorkerBuilt, Gen: 1}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Paused})
	assert.Empty(t, cmds, "the start asked to train already")
}

// A snapshot posted before the worker read the page's latest command must not undo
// what the user pressed: the button shows the user's choice, the pill the worker's.
func TestALateSnapshotDoesNotUndoAPress(t *testing.T) {
	tests := []struct {
		name      string
		press     Action
		late      Action
		wantPlay  bool
		wantPhase protocol.State
	}{
		{"Pause, then a snapshot still training", Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 9}, false, protocol.Training},
		{"Play, then a snapshot still paused", Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Paused, Steps: 9}, true, protocol.Paused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := opened(t, 1, false)
			if !tt.wantPlay { // playing first, so that the press pauses
				s, _ = play(t, s, Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 5})
			}
			s, cmds := play(t, s, tt.press)
			require.Len(t, cmds, 1)
			s, cmds = play(t, s, tt.late)
			assert.Equal(t, tt.wantPlay, s.Play)
			assert.Equal(t, tt.wantPhase, s.Runs[0].Phase)
			assert.Empty(t, cmds, "nothing asked twice")
		})
	}
}

func TestMessagesOfAnEarlierStartAreDropped(t *testing.T) {
	s := opened(t, 1, false)
	s, _ = play(t, s, Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 40})
	s, cmds := play(t, s, Action{Kind: PressReset})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.Start, Gen: 2}}, cmds)
	assert.False(t, s.Play, "Reset pauses")
	for _, late := range []Action{
		{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 41},
		{Kind: WorkerFailed, Gen: 1, Reason: "diverged"},
		{Kind: WorkerBuilt, Gen: 1},
	} {
		next, cmds := play(t, s, late)
		assert.Equal(t, s, next, "%v of the start before is dropped", late.Kind)
		assert.Empty(t, cmds)
	}
	s, _ = play(t, s, Action{Kind: WorkerSnapshot, Gen: 2, Phase: protocol.Paused})
	assert.Equal(t, protocol.Ready, s.Status())
}

func TestButtonsFollowTheState(t *testing.T) {
	tests := []struct {
		name          string
		state         func(t *testing.T) State
		play, step    bool // CanPlay, CanStep
		status        protocol.State
		pressedToPlay bool // Play shows Pause
	}{
		{"opening", func(t *testing.T) State { return NewState(1, false, "") }, true, false, protocol.Loading, false},
		{"bad settings", func(t *testing.T) State { return NewState(1, true, "lr: must be positive") }, false, false, protocol.Failed, false},
		{"ready", func(t *testing.T) State { return opened(t, 1, false) }, true, true, protocol.Ready, false},
		{"training", func(t *testing.T) State {
			s, _ := play(t, opened(t, 1, false), Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 2})
			return s
		}, true, false, protocol.Training, true},
		{"done", func(t *testing.T) State {
			s, _ := play(t, opened(t, 1, false), Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Done, Steps: 600})
			return s
		}, false, false, protocol.Done, false},
		{"a race with one run failed", func(t *testing.T) State {
			s, _ := play(t, opened(t, 2, false), Action{Kind: WorkerFailed, Run: 1, Gen: 1, Reason: "out of memory"})
			return s
		}, true, true, protocol.Ready, false},
		{"a race whose every run died", func(t *testing.T) State {
			s, _ := play(t, opened(t, 2, false), Action{Kind: PressPlay}, Action{Kind: WorkerDied, Run: 0, Reason: "gone"}, Action{Kind: WorkerDied, Run: 1, Reason: "gone"})
			return s
		}, false, false, protocol.Failed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.state(t)
			assert.Equal(t, tt.play, s.CanPlay(), "CanPlay")
			assert.Equal(t, tt.step, s.CanStep(), "CanStep")
			assert.Equal(t, tt.status, s.Status())
			assert.Equal(t, tt.pressedToPlay, s.Play)
		})
	}
}

func TestStepAndResetPause(t *testing.T) {
	s := opened(t, 2, false)
	s, cmds := play(t, s, Action{Kind: PressStep})
	assert.Equal(t, []protocol.Kind{protocol.Step, protocol.Step}, kinds(cmds), "a step for each run of a race")
	s, cmds = play(t, s, Action{Kind: PressPlay})
	assert.Equal(t, []protocol.Kind{protocol.Play, protocol.Play}, kinds(cmds))
	_, cmds = play(t, s, Action{Kind: PressStep})
	assert.Empty(t, cmds, "no step while playing")
	s, cmds = play(t, s, Action{Kind: PressReset})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.Start, Gen: 2}, {Run: 1, Kind: protocol.Start, Gen: 2}}, cmds)
	assert.False(t, s.Play)
}

func TestBadSettingsStopAndGoodOnesStartAgain(t *testing.T) {
	s := opened(t, 1, false)
	s, _ = play(t, s, Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 2})
	s, cmds := play(t, s, Action{Kind: SettingsBad, Reason: "topology: unknown item"})
	assert.Equal(t, []protocol.Kind{protocol.Pause}, kinds(cmds))
	assert.False(t, s.CanPlay())
	_, cmds = play(t, s, Action{Kind: PressPlay})
	assert.Empty(t, cmds, "Play does nothing until the settings can run")
	_, cmds = play(t, s, Action{Kind: PressReset})
	assert.Empty(t, cmds, "nor Reset")
	s, cmds = play(t, s, Action{Kind: SettingsGood})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.Start, Gen: 2}}, cmds)
	assert.Equal(t, "", s.Invalid)
	assert.Equal(t, protocol.Loading, s.Status())
}

func TestADeadWorkerIsReplacedOnReset(t *testing.T) {
	s := opened(t, 2, false)
	s, _ = play(t, s, Action{Kind: WorkerDied, Run: 1, Reason: "out of memory"})
	assert.Equal(t, protocol.Failed, s.Runs[1].Phase)
	assert.Equal(t, "out of memory", s.Runs[1].Reason)
	_, cmds := play(t, s, Action{Kind: PressPlay})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.Play}}, cmds, "the dead worker is asked nothing")
	s, cmds = play(t, s, Action{Kind: PressReset})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.Start, Gen: 2}, {Run: 1, Kind: Restart}}, cmds)
	s, cmds = play(t, s, Action{Kind: WorkerHello, Run: 1})
	assert.Equal(t, []Command{{Run: 1, Kind: protocol.Start, Gen: 2}}, cmds, "the new worker starts its run on its hello")
	assert.False(t, s.Runs[1].Dead)
}

func TestDataThatDoesNotCome(t *testing.T) {
	s, _ := play(t, NewState(1, false, ""), Action{Kind: WorkerHello},
		Action{Kind: WorkerFailed, Gen: 1, Reason: "the link dropped", Retry: true})
	assert.Equal(t, protocol.Failed, s.Status(), "no network yet: it stopped")
	s, cmds := play(t, s, Action{Kind: PressRetry})
	assert.Equal(t, []protocol.Kind{protocol.Retry}, kinds(cmds))
	assert.Equal(t, protocol.Loading, s.Status())

	s = opened(t, 1, false)
	s, _ = play(t, s, Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 4},
		Action{Kind: WorkerFailed, Gen: 1, Reason: "the link dropped", Retry: true})
	assert.Equal(t, protocol.Training, s.Status(), "a built run goes on with the data it has")
}

func TestNewDataAndNetworksStartAgainInTheirOwnGeneration(t *testing.T) {
	s := opened(t, 1, false)
	s, _ = play(t, s, Action{Kind: PressPlay}, Action{Kind: WorkerSnapshot, Gen: 1, Phase: protocol.Training, Steps: 4})
	s, cmds := play(t, s, Action{Kind: UseFiles})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.UseData, Gen: 2, Autoplay: true}}, cmds, "playing: it trains on the new data at once")
	_, cmds = play(t, s, Action{Kind: WorkerSnapshot, Gen: 2, Phase: protocol.Training, Steps: 1})
	assert.Empty(t, cmds)
	s, cmds = play(t, s, Action{Kind: PressPlay}, Action{Kind: OpenNetwork})
	assert.Equal(t, []Command{{Run: 0, Kind: protocol.Pause}, {Run: 0, Kind: protocol.Load, Gen: 3}}, cmds)
	assert.Equal(t, protocol.Loading, s.Status())
	s, _ = play(t, s, Action{Kind: NewWorkers, N: 3})
	assert.Len(t, s.Runs, 3)
	assert.Equal(t, protocol.Loading, s.Status(), "new workers load until they say hello")
}
