package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJobScript(t *testing.T) {
	assert.Equal(t, "#!/bin/sh\n# sweeps/smoke.sweep as a Slurm array job, written by tools/sweep submit: task i runs run i of runs.json.\n"+
		"exec '/shared/it'\\''s/.bin/sweep' task '/shared/it'\\''s' \"$SLURM_ARRAY_TASK_ID\"\n",
		jobScript("sweeps/smoke.sweep", "/shared/it's/.bin/sweep", "/shared/it's"))
}

func TestSbatchArgs(t *testing.T) {
	head := []string{"--parsable", "--job-name=lwf-x-1", "--array=0-2,5", "--output=/s/slurm/%A_%a.out"}
	for _, tt := range []struct {
		name string
		o    submitOptions
		want []string
	}{
		{"the defaults", submitOptions{cpus: 1}, append(append([]string{}, head...), "--cpus-per-task=1", "/s/slurm/job.sh")},
		{"every option", submitOptions{cpus: 4, partition: "gpu", timeLimit: "2:00:00", extra: []string{"--mem=2G", "--account=a"}, wait: true},
			append(append([]string{"--wait"}, head...), "--cpus-per-task=4", "--partition=gpu", "--time=2:00:00", "--mem=2G", "--account=a", "/s/slurm/job.sh")},
	} {
		assert.Equal(t, tt.want, sbatchArgs(tt.o, "lwf-x-1", []int{0, 1, 2, 5}, "/s/slurm", "/s/slurm/job.sh"), tt.name)
	}
}

func TestProgressLine(t *testing.T) {
	for _, tt := range []struct {
		name        string
		before, now tally
		ago         time.Duration
		want        string
	}{
		{"nothing ended yet", tally{left: 4}, tally{running: 2, left: 4}, time.Minute,
			"sweep: job 42: 0 done, 2 running, 0 failed, 2 to start"},
		{"the time left at the pace so far", tally{done: 1, left: 4}, tally{done: 3, failed: 1, running: 1, left: 2}, 30 * time.Second,
			"sweep: job 42: 3 done, 1 running, 1 failed, 1 to start, about 20s left"},
		{"all ended", tally{left: 2}, tally{done: 2}, time.Minute,
			"sweep: job 42: 2 done, 0 running, 0 failed, 0 to start"},
	} {
		assert.Equal(t, tt.want, progressLine("42", tt.before, tt.now, time.Now().Add(-tt.ago)), tt.name)
	}
}

func TestWriteRuns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.json")
	require.NoError(t, writeRuns(path, []run{{name: "BP_FC_10_trial1", args: []string{"--seed", "0"}}, {name: "BP_FC_10_lr1_trial1", args: []string{"--lr=1"}, variant: "lr=1"}}))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, `[
  {
    "name": "BP_FC_10_trial1",
    "args": [
      "--seed",
      "0"
    ]
  },
  {
    "name": "BP_FC_10_lr1_trial1",
    "args": [
      "--lr=1"
    ],
    "variant": "lr=1"
  }
]
`, string(b))
}
