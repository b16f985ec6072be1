package engine

import "time"

// budget bounds what the page's quick evaluations cost. After each evaluation the
// next one is planned from the cost per sample just measured: the whole quick subset
// if that fits at most share of the time within longest of training, else fewer
// samples (never under minSamples), and never sooner than shortest. The share always
// holds: where even minSamples is too costly, evaluations come more than longest
// apart.
type budget struct {
	share             float64       // of the time, in (0, 1)
	shortest, longest time.Duration // of training between two evaluations
	minSamples        int
}

// plan returns the training time until the next evaluation and its size in samples,
// out of most, for evaluations that cost perSample seconds a sample.
func (b budget) plan(perSample float64, most int) (gap time.Duration, n int) {
	ratio := (1 - b.share) / b.share // training time per unit of evaluation time
	wait := func(n int) time.Duration { return time.Duration(float64(n) * perSample * ratio * float64(time.Second)) }
	n = most
	if wait(most) > b.longest && perSample > 0 {
		fit := int(b.longest.Seconds()/ratio/perSample + 1e-9) // rounding apart, what fits
		n = max(fit, min(b.minSamples, most))
	}
	return max(wait(n), b.shortest), n
}

// The page's budgets: three twentieths of the time in the first 15 s of training,
// when the audience waits for the first figures, then a tenth.
var (
	earlyBudget = budget{share: 0.15, shortest: 250 * time.Millisecond, longest: time.Second, minSamples: 200}
	laterBudget = budget{share: 0.1, shortest: 750 * time.Millisecond, longest: 8 * time.Second, minSamples: 200}
	earlyFor    = 15 * time.Second
)

// planQuick plans the page's quick evaluations within earlyBudget, then laterBudget.
func planQuick(trained time.Duration, perSample float64, most int) (time.Duration, int) {
	if trained < earlyFor {
		return earlyBudget.plan(perSample, most)
	}
	return laterBudget.plan(perSample, most)
}
