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
  [ "$name" != nn_distributed_ranks ] || continue   # an MPI program, run under mpirun below
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
# Chapter 8 on the GPU: NCCL's collectives on one rank per GPU (where mpirun exists), and a short
# pre-training run of the chapter's model on cuda (the sample text: the speed does not depend on it).
if command -v mpirun > /dev/null; then
  gpus=$(nvidia-smi --list-gpus | wc -l)
  for np in 1 2; do
    [ "$np" -le "$gpus" ] || continue
    if OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np "$np" --oversubscribe \
         "$B/tests/nn_distributed_ranks" --nccl > "$OUT/nccl_$np.log" 2>&1; then r=pass; else r=FAIL; status=1; fi
    summary+=("$(printf '%-34s %s' "NCCL collectives, $np rank(s)" "$r")")
  done
else
  summary+=("NCCL collectives: not run (no mpirun here)")
fi
for be in cpu cuda; do
  "$B/bin/ch08" pretrain --quick --backend "$be" --steps 60 --batch 16 --no-progress --out "$OUT/ch08_$be" \
    > "$OUT/ch08_pretrain_$be.json" 2> "$OUT/ch08_pretrain_$be.log" || { status=1; summary+=("ch08 pretrain $be: FAIL"); }
done
grep -h tokens_per_s "$OUT"/ch08_pretrain_*.json
cat "$OUT"/bench_*.log > "$OUT/bench.txt" 2>/dev/null
printf '%s\n' "${summary[@]}"
grep -h -E "cuda|cublas|d2d" "$OUT"/bench_*.log | head -60
exit $status
