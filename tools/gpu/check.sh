#!/usr/bin/env bash
# check.sh: runs on a machine with an NVIDIA GPU, from the repository root, over the bundle
# that `./ladder gpu-bundle` made (build/gpu-bundle: Release binaries for sm_90 and the
# Debian libraries they need; the CUDA libraries come from that machine's toolkit).
# 1. every kernel equivalence test and exercise test, on cuda and simt;
# 2. `ladder-ops compare --backend cuda` for every chapter (errors against the CPU reference);
# 3. `ladder-ops bench --backend cuda` for every chapter (vs cuBLAS and a d2d copy);
# 4. chapter 1's program. Logs and CSVs go to $OUT (or ./gpu-out); a table is printed last.
set -uo pipefail
B=build/gpu-bundle
OUT="${OUT:-gpu-out}"
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$PWD/$B/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
[ -x "$B/bin/ladder-ops" ] || { echo "no bundle at $B: run ./ladder gpu-bundle first"; exit 2; }
# As ./ladder does: the OPENBLAS_CORETYPE that OpenBLAS needs on a CPU it does not know.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -x "$B/bin/blas-info" ]; then
  core=$("$B/bin/blas-info" --coretype 2>/dev/null) || core=""
  if [ -n "$core" ]; then export OPENBLAS_CORETYPE="$core"; echo "check.sh: OPENBLAS_CORETYPE=$core (OpenBLAS does not know this CPU)"; fi
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
[ ! -x "$B/bin/blas-info" ] || "$B/bin/blas-info" | tee -a "$OUT/gpu.txt"
date -u +%Y-%m-%dT%H:%MZ >> "$OUT/gpu.txt"

status=0
summary=()
for t in "$B"/tests/*; do
  name=$(basename "$t")
  if "$t" > "$OUT/test_$name.log" 2>&1; then r=pass; else r=FAIL; status=1; fi
  skipped=$(grep -c "SKIPPED:" "$OUT/test_$name.log")
  summary+=("$(printf '%-34s %s (skipped: %s)' "$name" "$r" "$skipped")")
done
chapters=$("$B/bin/ladder-ops" list | awk '/^ch[0-9][0-9] /{print $1}' | sort -u)
for ch in $chapters; do
  if "$B/bin/ladder-ops" compare --chapter "$ch" --backend cuda > "$OUT/compare_$ch.log" 2>&1; then r=pass; else r=FAIL; status=1; fi
  summary+=("$(printf '%-34s %s' "compare $ch (cuda)" "$r")")
  "$B/bin/ladder-ops" bench --chapter "$ch" --backend cuda --csv "$OUT/bench_$ch.csv" > "$OUT/bench_$ch.log" 2>&1 \
    || { status=1; summary+=("bench $ch: FAIL"); }
done
"$B/bin/ch01" --out "$OUT/ch01" > "$OUT/ch01.log" 2>&1 || { status=1; summary+=("ch01: FAIL"); }
cat "$OUT"/bench_*.log > "$OUT/bench.txt" 2>/dev/null
printf '%s\n' "${summary[@]}"
grep -h -E "cuda|cublas|d2d" "$OUT"/bench_*.log | head -60
exit $status
