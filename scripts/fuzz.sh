#!/usr/bin/env bash
# Fuzzes the C core with the libFuzzer harnesses in fuzz/ for a given time.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]     (default 60 s in all; targets: load decode shapes)
# The time is shared evenly among the targets. Each starts from its committed seed corpus
# (fuzz/corpus/TARGET) and keeps what it discovers in build/fuzz/corpus-TARGET (not committed), so
# longer runs accumulate. A crash, leak, timeout or broken invariant is written to
# fuzz/artifacts/TARGET-* and makes the script exit non-zero. Runs `nice`d (two shared cores).
# Prints one line per target: "fuzz TARGET: N executions in S s, C crashes".
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load decode shapes)
per=$(( seconds / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1

command -v clang >/dev/null 2>&1 || { echo "fuzz: clang is missing: bash scripts/setup.sh --test installs it" >&2; exit 2; }
bins=()
for t in "${targets[@]}"; do bins+=("build/fuzz/fuzz_$t"); done
make -s "${bins[@]}"

mkdir -p fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  work="build/fuzz/corpus-$t"
  mkdir -p "$work"
  log="build/fuzz/fuzz-$t.$$.log" # per run: several runs may share the machine
  set +e
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a 2 GiB process is unbounded allocation
  nice -n 10 "build/fuzz/fuzz_$t" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t-" "$work" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  crashes=0
  if [ "$rc" -ne 0 ]; then
    crashes=1
    status=1
    echo "fuzz $t: FAILED (exit $rc); the input is in fuzz/artifacts/, the log in $log:" >&2
    grep -aE 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -20 >&2
  fi
  [ "$rc" -eq 0 ] && rm -f "$log"
  echo "fuzz $t: ${runs:-0} executions in $per s, $crashes crashes"
done
exit $status
