#!/usr/bin/env bash
# Prints the folder of Debian's threaded OpenBLAS (libopenblas0-pthread) as a BLAS
# library (its libblas.so.3), for LD_LIBRARY_PATH: the installed package's, else the
# package fetched by apt-get download and unpacked with dpkg-deb into
# ${TMPDIR:-/tmp}/lwf-openblas, once. Nothing on the system changes.
#
#   LD_LIBRARY_PATH=$(tools/reference/openblas.sh) OPENBLAS_NUM_THREADS=1 tools/reference/bench.sh
#
# tools/bench (make bench) runs it for the PyTorch figures. On failure it says why
# on standard error, with the last 3 lines of the command that failed.
set -euo pipefail
installed=/usr/lib/x86_64-linux-gnu/openblas-pthread
if [[ -e $installed/libblas.so.3 ]]; then
	echo "$installed"
	exit 0
fi
tmp=${TMPDIR:-/tmp}
dir=${tmp%/}/lwf-openblas
lib=$dir/usr/lib/x86_64-linux-gnu/openblas-pthread
if [[ -e $lib/libblas.so.3 ]]; then
	echo "$lib"
	exit 0
fi
mkdir -p "$dir"

# fail says that a command failed: its exit status and the last 3 lines it wrote.
fail() {
	printf '%s: exit status %d: %s\n' "$1" "$2" "$(tail -n 3 <<<"$3")" >&2
	exit 1
}

rc=0
out=$(cd "$dir" && apt-get download libopenblas0-pthread 2>&1) || rc=$?
((rc == 0)) || fail "apt-get download libopenblas0-pthread" "$rc" "$out"
shopt -s nullglob
debs=("$dir"/libopenblas0-pthread_*.deb)
if ((${#debs[@]} == 0)); then
	echo "apt-get download libopenblas0-pthread left no .deb" >&2
	exit 1
fi
out=$(dpkg-deb -x "${debs[0]}" "$dir" 2>&1) || rc=$?
((rc == 0)) || fail "dpkg-deb -x ${debs[0]}" "$rc" "$out"
echo "$lib"
