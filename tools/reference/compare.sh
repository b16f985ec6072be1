#!/usr/bin/env bash
# Statistical comparison of our Go trainer with the PyTorch reimplementation of the
# reference (reference.py) on MNIST, FC_500_FC_10, lr 1e-3, 3 epochs, defaults
# otherwise (BCE, NAG, tanh hidden, sigmoid output, batch 100), for every rule, plus
# DRTP with --fc-zero-init, over several seeds each.
#
#   tools/reference/compare.sh                       # 5 seeds, 2 jobs at a time
#   SEEDS="1 2 3" JOBS=1 OUT=/tmp/lwf-compare tools/reference/compare.sh
#   SEEDS="6 7 8 9 10" RULES=DFA GO_BIN=/tmp/lwf-train tools/reference/compare.sh
#   IMPLS=go tools/reference/compare.sh             # our side only
#
# Raw per-epoch JSON lines go to $OUT (default /tmp/lwf-compare): go_<RULE>_s<SEED>.jsonl
# and py_<RULE>_s<SEED>.jsonl, where RULE is BP FA DFA sDFA DRTP shallow or DRTP-zero
# (DRTP with --fc-zero-init). Finished runs (3 epochs logged) are not run again. The
# markdown table from summarise.py is printed and saved as $OUT/table.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export PY=${PY:-/usr/bin/python3}
export OUT=${OUT:-/tmp/lwf-compare}
export EPOCHS=${EPOCHS:-3}
export REF=$here/reference.py
SEEDS=${SEEDS:-1 2 3 4 5}
JOBS=${JOBS:-2}
RULES=${RULES:-BP FA DFA sDFA DRTP shallow DRTP-zero}
IMPLS=${IMPLS:-py go} # IMPLS=go: only our side, against PyTorch runs kept in $OUT
mkdir -p "$OUT"
# GO_BIN: an already built trainer to use as is (e.g. to add seeds to an earlier run
# with the same build); by default the current tree is built into $OUT/lwf-train.
if [[ -z ${GO_BIN:-} ]]; then
	GO_BIN=$OUT/lwf-train
	(cd "$root" && go build -o "$GO_BIN" ./tools/train)
fi
export GO_BIN
export ROOT=$root

run_one() { # impl rule seed
	local impl=$1 rule=$2 seed=$3 mode=$2 extra=()
	if [[ $rule == DRTP-zero ]]; then mode=DRTP extra=(--fc-zero-init); fi
	local base=$OUT/${impl}_${rule}_s${seed}
	if [[ -f $base.jsonl && $(wc -l <"$base.jsonl") -ge $EPOCHS ]]; then return 0; fi
	local args=(--dataset MNIST --topology FC_500_FC_10 --lr 1e-3 --epochs "$EPOCHS" --train-mode "$mode"
		--seed "$seed" "${extra[@]}")
	local t0=$SECONDS
	if [[ $impl == go ]]; then
		(cd "$ROOT" && GOMAXPROCS=1 "$GO_BIN" "${args[@]}" --log "$base.jsonl" >"$base.out" 2>&1)
	else
		# reference.py has no --dataset (MNIST only); everything else is the same.
		OMP_NUM_THREADS=1 "$PY" "$REF" train "${args[@]:2}" --log "$base.jsonl" >"$base.out" 2>&1
	fi
	echo "$(date +%T) done $impl $rule seed $seed in $((SECONDS - t0)) s"
}
export -f run_one

for seed in $SEEDS; do
	for rule in $RULES; do
		for impl in $IMPLS; do echo "$impl $rule $seed"; done
	done
done | xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _

"$PY" "$here/summarise.py" "$OUT" | tee "$OUT/table.md"
