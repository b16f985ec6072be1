package ui

import "github.com/nofeedback/lwf/wasm/protocol"

// The page's run state is one value, State, changed by one function, Update: an
// action in (a button the user pressed, a message a worker posted), a new state and
// the commands for the workers out. The buttons, the status pill and the curves'
// box are drawn from it and from nothing else. A press is never dropped: Play while
// the data loads is remembered, and the run starts training when it is built.

// State is the page's run state.
type State struct {
	// Invalid says why the settings cannot run ("" when they can).
	Invalid string
	// Play: the user wants training to run (Play pressed, and no Pause, Step or
	// Reset since). Runs that are built train; the others start when they are.
	Play bool
	// Runs are the rules training, one for the page, two to six in a race.
	Runs []RunState
}

// RunState is where one run stands.
type RunState struct {
	Phase  protocol.State // Loading until its worker built it; then what the worker says
	Reason string         // why it failed
	// Gen counts the starts asked of its worker; a message from an earlier start is
	// stale, and dropped.
	Gen int
	// Built: the run has a network (a data error then stops only its loading).
	Built bool
	// Steps are the batches it trained, by its latest snapshot.
	Steps int
	// Asked is the last of Play, Pause or Step sent to it since its start, so that a
	// snapshot in flight does not make the page ask twice.
	Asked protocol.Kind
	// Dead: its worker is gone; Reset starts a new one.
	Dead bool
}

// ActionKind names what happened.
type ActionKind int

// What can happen to the page's runs.
const (
	PressPlay      ActionKind = iota // the Play/Pause button, or the space bar
	PressStep                        // train one batch
	PressReset                       // start every run again from its initial weights
	SettingsBad                      // the settings cannot run: Reason says why
	SettingsGood                     // the settings can run again, or changed: every run starts anew
	WorkerHello                      // Run's worker listens
	WorkerBuilt                      // Run's worker built its run (Gen)
	WorkerSnapshot                   // Run's worker posted its state (Gen, Phase, Steps)
	WorkerFailed                     // Run's worker could not go on with its run (Gen, Reason, Retry)
	WorkerDied                       // Run's worker is gone (Reason)
	PressRetry                       // fetch the data again
	NewWorkers                       // the runs were replaced by N new workers (a race began or ended), which will say hello
	UseFiles                         // the user's files go to Run's worker, which starts on them
	OpenNetwork                      // a saved network goes to Run's worker, which goes on from it
)

// Action is one thing that happened.
type Action struct {
	Kind   ActionKind
	Run    int            // which run, for the workers' actions
	Gen    int            // the start the message belongs to
	Phase  protocol.State // WorkerSnapshot: the worker's state
	Steps  int            // WorkerSnapshot: batches trained
	Reason string         // SettingsBad, WorkerFailed, WorkerDied
	Retry  bool           // WorkerFailed: the data did not come; Retry may fetch it
	N      int            // NewWorkers: how many
}

// Command is what the page must send: Kind to run Run's worker (Start, UseData and
// Load carry Gen and whether to train at once; Restart means a new worker).
type Command struct {
	Run      int
	Kind     protocol.Kind
	Gen      int  // Start, UseData, Load: the start's number, which the worker's messages carry
	Autoplay bool // Start, UseData, Load: train as soon as built
}

// Restart is the command to replace a dead worker (it says hello, then starts).
const Restart protocol.Kind = "restart"

// NewState is the state of a page opening with n runs: each loading, Play as the
// link asks, invalid with a reason when the settings cannot run.
func NewState(n int, play bool, invalid string) State {
	s := State{Invalid: invalid, Play: play && invalid == "", Runs: make([]RunState, n)}
	for i := range s.Runs {
		s.Runs[i].Phase = protocol.Loading
	}
	return s
}

// Status is the page's status: loading while any run loads, training while any
// trains, failed when every run failed (or the settings are bad), done when every
// run ended, ready when every run that did not fail is ready, and paused otherwise.
func (s State) Status() protocol.State {
	phases := make([]protocol.State, len(s.Runs))
	for i, r := range s.Runs {
		phases[i] = r.Phase
	}
	return rollUp(s.Invalid == "", phases)
}

// CanPlay reports whether the Play button does something: the settings can run and
// some run has not ended.
func (s State) CanPlay() bool {
	if s.Invalid != "" {
		return false
	}
	for _, r := range s.Runs {
		if r.Phase != protocol.Done && r.Phase != protocol.Failed {
			return true
		}
	}
	return false
}

// CanStep reports whether Step does something: not while playing, and some run is
// built and not ended.
func (s State) CanStep() bool {
	if s.Invalid != "" || s.Play {
		return false
	}
	for _, r := range s.Runs {
		if r.Phase == protocol.Ready || r.Phase == protocol.Paused {
			return true
		}
	}
	return false
}

// Update returns the state after a, and the commands it asks of the workers. It is
// the only function that changes the page's run state.
func Update(s State, a Action) (State, []Command) {
	s.Runs = append([]RunState(nil), s.Runs...) // the caller's copy stays as it was
	if a.Run < 0 || a.Run >= len(s.Runs) {
		a.Run = -1
	}
	var cmds []Command
	if f := updates[a.Kind]; f != nil {
		cmds = f(&s, a)
	}
	return s, cmds
}

// updates are Update's handlers, one per kind of action.
var updates = map[ActionKind]func(*State, Action) []Command{
	PressPlay:      (*State).pressPlay,
	PressStep:      (*State).pressStep,
	PressReset:     (*State).pressReset,
	SettingsBad:    (*State).settingsBad,
	SettingsGood:   (*State).settingsGood,
	WorkerHello:    (*State).workerHello,
	WorkerBuilt:    (*State).workerBuilt,
	WorkerSnapshot: (*State).workerSnapshot,
	WorkerFailed:   (*State).workerFailed,
	WorkerDied:     (*State).workerDied,
	PressRetry:     (*State).pressRetry,
	NewWorkers:     (*State).newWorkers,
	UseFiles:       (*State).useData,
	OpenNetwork:    (*State).useData,
}

// pressPlay toggles Play: Pause asks every run to stop, Play every built run to
// train (the others train when they are built).
func (s *State) pressPlay(Action) []Command {
	if s.Play {
		s.Play = false
		return s.ask(protocol.Pause, nil)
	}
	if !s.CanPlay() {
		return nil
	}
	s.Play = true
	return s.ask(protocol.Play, nil)
}

// pressStep trains one batch of every run that is built and not training.
func (s *State) pressStep(Action) []Command {
	if !s.CanStep() {
		return nil
	}
	var cmds []Command
	for i, r := range s.Runs {
		if r.Phase == protocol.Ready || r.Phase == protocol.Paused {
			s.Runs[i].Asked = protocol.Step
			cmds = append(cmds, Command{Run: i, Kind: protocol.Step})
		}
	}
	return cmds
}

// pressReset starts every run again, paused, when the settings can run.
func (s *State) pressReset(Action) []Command {
	s.Play = false
	if s.Invalid != "" {
		return nil
	}
	return s.restartAll()
}

// settingsBad stops everything, saying why.
func (s *State) settingsBad(a Action) []Command {
	s.Invalid, s.Play = a.Reason, false
	return s.ask(protocol.Pause, nil)
}

// settingsGood starts every run anew on the new settings, training if Play is
// pressed.
func (s *State) settingsGood(Action) []Command {
	s.Invalid = ""
	return s.restartAll()
}

func (s *State) restartAll() []Command {
	var cmds []Command
	for i := range s.Runs {
		cmds = s.restart(i, cmds)
	}
	return cmds
}

// workerHello starts the run of a worker that listens (new, or started again).
func (s *State) workerHello(a Action) []Command {
	if a.Run < 0 {
		return nil
	}
	s.Runs[a.Run].Dead = false
	if s.Invalid != "" {
		return nil
	}
	return s.restart(a.Run, nil)
}

// workerBuilt notes that the run has a network.
func (s *State) workerBuilt(a Action) []Command {
	if a.Run >= 0 && a.Gen == s.Runs[a.Run].Gen {
		s.Runs[a.Run].Built = true
	}
	return nil
}

// workerSnapshot takes a run's state from its worker; a run built while Play was
// pressed is asked to train.
func (s *State) workerSnapshot(a Action) []Command {
	if a.Run < 0 || a.Gen != s.Runs[a.Run].Gen {
		return nil // a snapshot of an earlier start
	}
	r := &s.Runs[a.Run]
	r.Steps, r.Built = a.Steps, true
	switch {
	case a.Phase == protocol.Training || a.Phase == protocol.Done || a.Phase == protocol.Failed:
		r.Phase = a.Phase
	case a.Steps == 0:
		r.Phase = protocol.Ready
	default:
		r.Phase = protocol.Paused
	}
	var cmds []Command
	if (r.Phase == protocol.Ready || r.Phase == protocol.Paused) && s.Play && r.Asked != protocol.Play {
		r.Asked = protocol.Play // built while Play was pressed: it trains now
		cmds = append(cmds, Command{Run: a.Run, Kind: protocol.Play})
	}
	s.releaseIfEnded()
	return cmds
}

// workerFailed fails a run's start, except for data that stopped coming to a run
// that is built: it goes on with what it has.
func (s *State) workerFailed(a Action) []Command {
	if a.Run < 0 || a.Gen != s.Runs[a.Run].Gen || (a.Retry && s.Runs[a.Run].Built) {
		return nil
	}
	s.Runs[a.Run].Phase, s.Runs[a.Run].Reason = protocol.Failed, a.Reason
	s.releaseIfEnded()
	return nil
}

// workerDied marks a run whose worker is gone; Reset starts a new one.
func (s *State) workerDied(a Action) []Command {
	if a.Run >= 0 {
		s.Runs[a.Run] = RunState{Phase: protocol.Failed, Reason: a.Reason, Gen: s.Runs[a.Run].Gen, Dead: true}
		s.releaseIfEnded()
	}
	return nil
}

// releaseIfEnded lets go of Play when every run ended.
func (s *State) releaseIfEnded() {
	if !s.CanPlay() {
		s.Play = false
	}
}

// pressRetry loads again the runs whose data did not come, and asks every worker
// to fetch it.
func (s *State) pressRetry(Action) []Command {
	for i, r := range s.Runs {
		if r.Phase == protocol.Failed && !r.Built && !r.Dead {
			s.Runs[i].Phase, s.Runs[i].Reason = protocol.Loading, ""
		}
	}
	return s.ask(protocol.Retry, nil)
}

// newWorkers replaces the runs by N new ones, loading until their workers say hello.
func (s *State) newWorkers(a Action) []Command {
	s.Runs = make([]RunState, a.N)
	for i := range s.Runs {
		s.Runs[i].Phase = protocol.Loading
	}
	return nil
}

// useData starts a run on the user's files (UseFiles) or on a saved network
// (OpenNetwork).
func (s *State) useData(a Action) []Command {
	if a.Run < 0 || s.Runs[a.Run].Dead {
		return nil
	}
	kind := protocol.UseData
	if a.Kind == OpenNetwork {
		kind = protocol.Load
	}
	return s.begin(a.Run, kind, nil)
}

// ask sends kind to every run whose worker listens, noting Play and Pause.
func (s *State) ask(kind protocol.Kind, cmds []Command) []Command {
	for i, r := range s.Runs {
		if r.Dead {
			continue
		}
		if kind == protocol.Play && r.Phase != protocol.Ready && r.Phase != protocol.Paused {
			continue // a run still loading is asked when it is built; one that ended stays so
		}
		if kind == protocol.Play || kind == protocol.Pause {
			s.Runs[i].Asked = kind
		}
		cmds = append(cmds, Command{Run: i, Kind: kind})
	}
	return cmds
}

// restart starts run i anew: a new start of its worker, or a new worker if it died.
func (s *State) restart(i int, cmds []Command) []Command {
	r := &s.Runs[i]
	if r.Dead {
		*r = RunState{Phase: protocol.Loading, Gen: r.Gen, Dead: true} // until the new worker says hello
		return append(cmds, Command{Run: i, Kind: Restart})
	}
	return s.begin(i, protocol.Start, cmds)
}

// begin asks run i's worker for a new start, by kind (Start, UseData or Load),
// training at once when Play is pressed.
func (s *State) begin(i int, kind protocol.Kind, cmds []Command) []Command {
	r := &s.Runs[i]
	*r = RunState{Phase: protocol.Loading, Gen: r.Gen + 1}
	if s.Play {
		r.Asked = protocol.Play
	}
	return append(cmds, Command{Run: i, Kind: kind, Gen: r.Gen, Autoplay: s.Play})
}
