#!/usr/bin/env bash
# ladder_cli_test.sh <repo>: the driver's paths that need no build: --help lists every
# command, `chapters` lists every chapter folder, and unknown commands or chapters get a
# clear message and exit code 2 (before anything is built or installed).
set -u
L="$1/ladder"
fail() { echo "FAIL: $*"; exit 1; }

help=$("$L" --help) || fail "--help exited $?"
for c in setup chapters build run test exercise compare bench data book gpu-bundle clean; do
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
echo "ok: ladder's help, chapter list and argument errors"
