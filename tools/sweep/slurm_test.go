package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startCluster starts a one-node Slurm on localhost for a test: munged with a key of
// its own, slurmctld and slurmd, all their files in a temporary folder, stopped when
// the test ends. It returns the SLURM_CONF the commands need. Without Debian's
// slurm-wlm (or as a user who cannot start slurmd) the test is skipped, unless
// LWF_SLURM_TESTS=required says it must run (CI sets it).
func startCluster(t *testing.T) string {
	t.Helper()
	skip := func(why string) {
		if os.Getenv("LWF_SLURM_TESTS") == "required" {
			t.Fatalf("LWF_SLURM_TESTS=required, but %s", why)
		}
		t.Skip(why)
	}
	for _, command := range []string{"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"} {
		if _, err := exec.LookPath(command); err != nil {
			skip(command + " not found (apt-get install slurm-wlm)")
		}
	}
	if os.Geteuid() != 0 {
		skip("slurmd runs jobs as root here, and this test is not root")
	}
	dir, err := os.MkdirTemp("", "slurm") // short: a socket's path has at most 107 bytes
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, sub := range []string{"state", "spool"} {
		require.NoError(t, os.Mkdir(filepath.Join(dir, sub), 0o755))
	}
	key := make([]byte, 1024)
	_, _ = rand.Read(key)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "munge.key"), key, 0o600))
	socket := filepath.Join(dir, "munge.sock")
	conf := filepath.Join(dir, "slurm.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`ClusterName=lwftest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=%[1]s/munge.sock
CredType=cred/munge
SlurmctldPort=%[2]d
SlurmdPort=%[3]d
StateSaveLocation=%[1]s/state
SlurmdSpoolDir=%[1]s/spool
SlurmctldPidFile=%[1]s/slurmctld.pid
SlurmdPidFile=%[1]s/slurmd.pid
SlurmctldLogFile=%[1]s/slurmctld.log
SlurmdLogFile=%[1]s/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=lwfnode NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`, dir, freePort(t), freePort(t))), 0o644))
	daemon := func(name string, args ...string) {
		cmd := exec.Command(name, args...)
		log, err := os.Create(filepath.Join(dir, name+".out"))
		require.NoError(t, err)
		cmd.Stdout, cmd.Stderr = log, log
		require.NoError(t, cmd.Start(), name)
		t.Cleanup(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
			log.Close()
		})
	}
	daemon("munged", "--foreground", "--force", "--socket="+socket, "--key-file="+filepath.Join(dir, "munge.key"),
		"--pid-file="+filepath.Join(dir, "munged.pid"), "--seed-file="+filepath.Join(dir, "munged.seed"), "--log-file="+filepath.Join(dir, "munged.log"))
	for deadline := time.Now().Add(10 * time.Second); !exists(socket) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	daemon("slurmctld", "-D", "-i", "-f", conf)
	daemon("slurmd", "-D", "-f", conf, "-N", "lwfnode")
	var state []byte
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		cmd := exec.Command("sinfo", "--noheader", "--format=%T")
		cmd.Env = append(os.Environ(), "SLURM_CONF="+conf)
		state, _ = cmd.Output()
		if strings.TrimSpace(string(state)) == "idle" {
			return conf
		}
	}
	logs, _ := os.ReadFile(filepath.Join(dir, "slurmctld.log"))
	t.Fatalf("the one-node cluster never became idle (sinfo: %q); slurmctld.log:\n%s", state, logs)
	return ""
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// The smoke sweep as a Slurm array job: submitted, waited for and reported; a
// second submit of a sweep still in the queue is refused, and one of a finished
// sweep submits nothing.
func TestTheSmokeSweepOnSlurm(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Slurm cluster and trains 8 small runs")
	}
	conf := startCluster(t)
	bin := sweepBinary(t)
	submit := func(file string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a job that never runs fails the test, not hangs it
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"submit", file, "--poll", "1s"}, args...)...)
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "SLURM_CONF="+conf)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out := t.TempDir()
	msg, err := submit("sweeps/smoke.sweep", "--out", out, "--partition", "nosuch")
	require.Error(t, err, msg)
	assert.Contains(t, msg, "invalid partition", "sbatch's own message")
	msg, err = submit("sweeps/smoke.sweep", "--out", out, "--wait", "--time", "10")
	require.NoError(t, err, msg)
	assert.Contains(t, msg, "submitted job")
	assert.Contains(t, msg, "all 4 runs done")
	assert.Regexp(t, `sweep: job \d+: [0-4] done, [0-2] running, 0 failed, [0-4] to start`, msg, "progress while it waits")
	tasks, _ := filepath.Glob(filepath.Join(out, "slurm", "*_*.out"))
	assert.Len(t, tasks, 4, "one array task per run")
	var table bytes.Buffer
	require.Equal(t, exitOK, command(context.Background(), []string{"report", out}, &table, os.Stderr))
	assert.Contains(t, table.String(), "| BP | FC_64_FC_10 | NAG 1e-3, dropout 0 | 2 | ")
	assert.Contains(t, table.String(), "| DRTP | FC_64_FC_10 | NAG 1e-3, dropout 0 | 2 | ")
	assert.FileExists(t, filepath.Join(out, "curves-classification_synth-FC_64_FC_10.svg"))

	msg, err = submit("sweeps/smoke.sweep", "--out", out, "--wait")
	require.NoError(t, err, msg)
	assert.NotContains(t, msg, "submitted job", "every run has its marker")
	assert.Contains(t, msg, "all 4 runs done")

	queued := t.TempDir()
	msg, err = submit("sweeps/smoke.sweep", "--out", queued)
	require.NoError(t, err, msg)
	assert.Contains(t, msg, "submitted job")
	msg, err = submit("sweeps/smoke.sweep", "--out", queued)
	require.Error(t, err, msg)
	assert.Contains(t, msg, "still in Slurm's queue", "its first job has not ended")
	markers := func() []string {
		m, _ := filepath.Glob(filepath.Join(queued, "runs", "*", "done"))
		return m
	}
	for deadline := time.Now().Add(3 * time.Minute); len(markers()) < 4 && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
	}
	assert.Len(t, markers(), 4, "the job without --wait ran every run too")

	// A run Slurm cuts off (scancel here, a time limit or a lost node elsewhere)
	// leaves no marker: --wait says so, and the next submit runs it again, whole.
	long := filepath.Join(t.TempDir(), "long.sweep")
	require.NoError(t, os.WriteFile(long, []byte("flags --dataset classification_synth --epochs 300 --subset 2000 --lr 1e-3\nrules DRTP\ntopologies FC_64_FC_10\n"), 0o644))
	cut := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "submit", long, "--out", cut, "--wait", "--poll", "1s")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "SLURM_CONF="+conf)
	var waited bytes.Buffer
	cmd.Stdout, cmd.Stderr = &waited, &waited
	require.NoError(t, cmd.Start())
	logFile := filepath.Join(cut, "runs", "DRTP_FC_64_FC_10_trial1", "log.jsonl")
	epochs := func() int {
		b, _ := os.ReadFile(logFile)
		return strings.Count(string(b), "\n")
	}
	for deadline := time.Now().Add(2 * time.Minute); epochs() < 5 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	require.GreaterOrEqual(t, epochs(), 5, "the run never started: %s", waited.String())
	scancel := exec.Command("scancel", "--name="+jobName(cut))
	scancel.Env = cmd.Env
	require.NoError(t, scancel.Run())
	err = cmd.Wait()
	require.Error(t, err, waited.String())
	assert.Contains(t, waited.String(), "1 of 1 runs ended without a marker")
	assert.NoFileExists(t, filepath.Join(cut, "runs", "DRTP_FC_64_FC_10_trial1", "done"))
	msg, err = submit(long, "--out", cut, "--wait")
	for deadline := time.Now().Add(time.Minute); strings.Contains(msg, "still in Slurm's queue") && time.Now().Before(deadline); {
		time.Sleep(time.Second) // the cancelled job is still completing
		msg, err = submit(long, "--out", cut, "--wait")
	}
	require.NoError(t, err, msg)
	assert.Contains(t, msg, "all 1 runs done")
	assert.Equal(t, 300, epochs(), "run again from its start: every epoch logged once")
}

func TestArraySpec(t *testing.T) {
	for _, tt := range []struct {
		in   []int
		want string
	}{
		{[]int{0}, "0"},
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{0, 1, 3, 5, 6, 7, 10}, "0-1,3,5-7,10"},
	} {
		assert.Equal(t, tt.want, arraySpec(tt.in), tt.in)
	}
}
