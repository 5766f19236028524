#!/usr/bin/env bash
# Training speed of the PyTorch bridge (1 process, and torchrun with 2 processes) beside the wasm
# core (the Node CLI) on the same data, shape and steps, in paired rounds (the three runs of a
# round back to back), one JSON line per run and a median line per runner at the end.
#
#   bash python/bench/train_speed.sh [ROUNDS=3] [STEPS=300]
#
# Shape: the dates task (10,000 pairs, char tokenizer), GRU, additive attention, embed 32,
# hidden 64, attention 64, global batch 64, learning rate 3e-3. The bridge runs with OpenBLAS
# (libopenblas0-openmp) when it is installed, one thread per process; wasm is single-threaded.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
STEPS=${2:-300}
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3 /usr/bin/python3; do
    if "$c" -c 'import torch' >/dev/null 2>&1; then PY=$c; break; fi
  done
fi
[ -n "$PY" ] || { echo "no Python with torch: set PYTHON or run scripts/setup.sh --test" >&2; exit 1; }
BLAS=/usr/lib/x86_64-linux-gnu/openblas-openmp
[ -d "$BLAS" ] && export LD_LIBRARY_PATH="$BLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONPATH="$PWD/python" OMP_NUM_THREADS=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node --input-type=module -e "
import { generateTask } from './lib/index.js';
import { writeFileSync } from 'node:fs';
const t = generateTask('dates', { seed: 1, trainSize: 10000, testSize: 0 });
writeFileSync('$work/dates.tsv', t.train.map((p) => p.join('\t')).join('\n') + '\n');"
SHAPE=(--steps "$STEPS" --batch-size 64 --embed 32 --hidden 64 --attention-size 64 --cell gru --attention additive --test-fraction 0)
echo "{\"python\":\"$("$PY" -c 'import sys, torch; print(sys.executable, torch.__version__)')\",\"blas\":\"$([ -d "$BLAS" ] && echo openblas-openmp || echo system)\",\"cpus\":$(getconf _NPROCESSORS_ONLN),\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
port=$((29000 + RANDOM % 1000))
for r in $(seq "$ROUNDS"); do
  # wasm (Node CLI): examples/s from its last progress line
  rate=$(node bin/seq2seq-attention.js train --data "$work/dates.tsv" --out "$work/w.s2s" "${SHAPE[@]}" --eval-size 0 2>&1 >/dev/null | grep -o '[0-9]* ex/s' | tail -1 | cut -d' ' -f1)
  echo "{\"round\":$r,\"runner\":\"wasm-simd (node CLI)\",\"processes\":1,\"examples_per_second\":$rate}"
  out=$("$PY" -m seq2seq_attention.train --data "$work/dates.tsv" --out "$work/p1.s2s" "${SHAPE[@]}" --eval-size 0 --threads 1 --json 2>/dev/null)
  echo "{\"round\":$r,\"runner\":\"pytorch bridge\",\"processes\":1,\"examples_per_second\":$("$PY" -c "import json,sys; print(round(json.loads(sys.argv[1])['examples_per_second']))" "$out")}"
  out=$("$PY" -m torch.distributed.run --nproc_per_node 2 --master_addr 127.0.0.1 --master_port $((port + r)) --redirects 2 --tee 1 --log_dir "$work/logs$r" \
        -m seq2seq_attention.train --data "$work/dates.tsv" --out "$work/p2.s2s" "${SHAPE[@]}" --eval-size 0 --threads 1 --json 2>/dev/null | grep -o '{.*}')
  echo "{\"round\":$r,\"runner\":\"pytorch bridge (torchrun, gloo)\",\"processes\":2,\"examples_per_second\":$("$PY" -c "import json,sys; print(round(json.loads(sys.argv[1])['examples_per_second']))" "$out")}"
done | tee "$work/rounds.jsonl"
"$PY" - "$work/rounds.jsonl" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for runner in dict.fromkeys(r["runner"] for r in rows):
    xs = [r["examples_per_second"] for r in rows if r["runner"] == runner]
    print(json.dumps({"runner": runner, "median_examples_per_second": statistics.median(xs), "rounds": xs}))
PYEOF
