#!/usr/bin/env bash
# Times the PyTorch reimplementation of the reference training step (forward, loss,
# backward, optimizer step; NAG, BCE, tanh/sigmoid, batch 100, real MNIST batches,
# one thread) for every shape we compare with, one shape at a time, and 784-500-10
# DRTP with the sweeps' Adam too.
#
#   tools/reference/bench.sh                  # JSON lines to stdout and $OUT/bench.jsonl
#   REPEATS=7 SCALE=5 OUT=/tmp/lwf-bench tools/reference/bench.sh   # SCALE: steps x5
#
# With GO_TOO=1 it also runs our Go trainer for one short epoch per shape
# (--subset 10000, 1 thread) and prints its training samples/s, for context only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=${PY:-/usr/bin/python3}
OUT=${OUT:-/tmp/lwf-bench}
REPEATS=${REPEATS:-5}
SCALE=${SCALE:-1} # multiplies the steps per repetition (fast BLAS: short repetitions are noisy)
mkdir -p "$OUT"
: > "$OUT/bench.jsonl"

shapes=()
for m in BP FA DFA sDFA DRTP shallow; do shapes+=("$m FC_500_FC_10 200"); done
shapes+=("BP FC_1000_FC_1000_FC_10 100" "DRTP FC_1000_FC_1000_FC_10 100")
shapes+=("BP CONV_32_5_1_2_FC_1000_FC_10 20" "DRTP CONV_32_5_1_2_FC_1000_FC_10 20")
shapes+=("DRTP FC_500_FC_10 200 Adam") # mode net steps [optimizer, NAG if none]

for s in "${shapes[@]}"; do
	read -r mode net steps opt <<<"$s"
	OMP_NUM_THREADS=1 "$PY" "$here/reference.py" bench --train-mode "$mode" --topology "$net" --optimizer "${opt:-NAG}" \
		--batch-size 100 --steps $((steps * SCALE)) --repeats "$REPEATS" | tee -a "$OUT/bench.jsonl"
done

if [[ ${GO_TOO:-0} == 1 ]]; then
	(cd "$root" && go build -o "$OUT/lwf-train" ./tools/train)
	for s in "${shapes[@]}"; do
		read -r mode net steps opt <<<"$s"
		opt=${opt:-NAG}
		GOMAXPROCS=1 "$OUT/lwf-train" --dataset MNIST --topology "$net" --lr 1e-3 --epochs 1 --optimizer "$opt" \
			--train-mode "$mode" --seed 1 --subset 10000 --log "$OUT/go_${mode}_${net}_${opt}.jsonl" >/dev/null
		"$PY" -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(json.dumps({"library":"go-lwf-train","mode":sys.argv[2],"net":sys.argv[3],"optimizer":sys.argv[4],"samples_per_s":round(r["samples_per_second"],1),"note":"one epoch of --subset 10000, GOMAXPROCS=1"}))' \
			"$OUT/go_${mode}_${net}_${opt}.jsonl" "$mode" "$net" "$opt" | tee -a "$OUT/bench.jsonl"
	done
fi
