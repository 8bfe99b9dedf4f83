#!/usr/bin/env bash
# ladder_cli_test.sh <repo>: the driver's paths that need no build: --help lists every
# command, `chapters` lists every chapter folder, and unknown commands or chapters get a
# clear message and exit code 2 (before anything is built or installed); and blas_env, which
# exports the OPENBLAS_CORETYPE that bin/blas-info suggests (a stand-in helper here) unless
# the user set one, and never fails when there is no helper yet.
set -u
L="$1/ladder"
fail() { echo "FAIL: $*"; exit 1; }

help=$("$L" --help) || fail "--help exited $?"
for c in setup chapters build run generate compress decompress test exercise compare bench data book gpu-bundle clean; do
  [[ "$help" == *$'\n'"  $c "* ]] || fail "--help does not list '$c'"
done

list=$("$L" chapters) || fail "chapters exited $?"
for d in "$1"/chapters/ch[0-9][0-9]_*/; do
  ch=$(basename "$d"); ch=${ch:0:4}
  [[ "$list" == *"$ch  "* ]] || fail "chapters does not list $ch"
done

one=$("$L" chapters ch01) || fail "chapters ch01 exited $?"
[[ "$one" == "ch01  Chapter 1"* && "$one" != *ch02* ]] || fail "chapters ch01 printed '$one'"

expect_error() {   # expect_error <message part> <args...>
  local want="$1"; shift
  local out rc
  out=$("$L" "$@" 2>&1); rc=$?
  [ "$rc" -eq 2 ] || fail "ladder $* exited $rc, expected 2"
  [[ "$out" == *"$want"* ]] || fail "ladder $* said '$out', expected '$want'"
}
expect_error "unknown command 'frobnicate'" frobnicate
expect_error "unknown chapter 'ch99'" run ch99
expect_error "unknown chapter 'ch1'" compare ch1
expect_error "unknown chapter 'ch99'" bench ch99
expect_error "which chapter?" exercise
expect_error "unknown chapter 'ch99'" chapters ch99
expect_error "usage:"

# blas_env <helper output> [OPENBLAS_CORETYPE]: runs the driver's blas_env (the script sourced,
# in a subshell) with a stand-in helper; prints what it said, then what a child process sees.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
blas_env() {
  printf '#!/bin/sh\n[ "$1" = --coretype ] || exit 3\necho "%s"\necho called >> "%s/calls"\n' "$1" "$tmp" > "$tmp/helper"
  chmod +x "$tmp/helper"
  (
    unset OPENBLAS_CORETYPE
    [ -z "${2:-}" ] || export OPENBLAS_CORETYPE="$2"
    export LADDER_BLAS_INFO="${HELPER:-$tmp/helper}"
    # shellcheck source=/dev/null
    source "$L" || exit 9
    blas_env default || { echo "blas_env failed"; exit 1; }
    bash -c 'echo "child sees [${OPENBLAS_CORETYPE:-}]"'
  )
}
rm -f "$tmp/calls"
out=$(blas_env SKYLAKEX)
[[ "$out" == *"OPENBLAS_CORETYPE=SKYLAKEX"* && "$out" == *"child sees [SKYLAKEX]" ]] || fail "blas_env with a fallback core said '$out'"
[ "$(grep -c . <<<"$out")" -eq 2 ] || fail "blas_env should say one line, said '$out'"
out=$(blas_env HASWELL)
[[ "$out" == *"child sees [HASWELL]" ]] || fail "blas_env with HASWELL said '$out'"
rm -f "$tmp/calls"
out=$(blas_env SKYLAKEX PRESCOTT)   # the user's own setting wins, and the helper is not even asked
[ "$out" = "child sees [PRESCOTT]" ] || fail "blas_env over the user's OPENBLAS_CORETYPE said '$out'"
[ ! -e "$tmp/calls" ] || fail "blas_env asked the helper although OPENBLAS_CORETYPE was set"
out=$(blas_env "")                  # OpenBLAS's own choice is right: nothing set, nothing said
[ "$out" = "child sees []" ] || fail "blas_env with nothing to fix said '$out'"
out=$(HELPER="$tmp/not-built-yet" blas_env SKYLAKEX)   # before the first build
[ "$out" = "child sees []" ] || fail "blas_env without a helper said '$out'"
echo "ok: ladder's help, chapter list, argument errors and OPENBLAS_CORETYPE"
