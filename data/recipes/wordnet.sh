#!/usr/bin/env bash
# wordnet.sh: the glosses (definitions and example sentences) of WordNet 3.0, from Debian's
# wordnet-base: the text after "| " on every synset line of data.{noun,verb,adj,adv}; the
# licence header (lines starting with two spaces) is skipped. One gloss per line.
# Output: <cache>/wordnet/glosses.txt (117,659 lines), manifest.json. Used by chapter 3.
source "$(dirname "$0")/lib.sh"
cache="${1:-data/cache}"
out="$cache/wordnet"
[ -f "$out/manifest.json" ] && { echo "wordnet: already in $out"; exit 0; }
work="$out/work"
fetch_debs "$work" wordnet-base
dir="$work/root/usr/share/wordnet"
for pos in noun verb adj adv; do
  # "00001740 03 n 01 entity 0 ... | that which is perceived ..." -> "that which is perceived ..."
  grep -v '^  ' "$dir/data.$pos" | sed -n 's/^[^|]*| *//p' | sed 's/ *$//'
done > "$out/glosses.txt.tmp"
lines=$(wc -l < "$out/glosses.txt.tmp")
[ "$lines" -eq 117659 ] || { echo "wordnet: expected 117659 glosses, got $lines" >&2; exit 1; }
mv "$out/glosses.txt.tmp" "$out/glosses.txt"
write_manifest "$out" "  \"name\": \"wordnet\",
  \"what\": \"WordNet 3.0 glosses (text after '| ' in data.noun/verb/adj/adv), one per line\",
  \"licence\": \"WordNet 3.0 licence (BSD-like), Princeton University\",
  \"packages\": {\"wordnet-base\": \"$(deb_version "$work" wordnet-base)\"},
  \"files\": {\"glosses.txt\": {\"sha256\": \"$(sha256 "$out/glosses.txt")\", \"lines\": $lines, \"words\": $(wc -w < "$out/glosses.txt"), \"bytes\": $(wc -c < "$out/glosses.txt")}}"
rm -rf "$work"
echo "wordnet: $lines glosses in $out/glosses.txt"
