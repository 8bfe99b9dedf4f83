#!/usr/bin/env bash
# kjv.sh: the King James Bible (public domain) from Debian's bible-kjv-text, decoded by the
# `bible` program of bible-kjv: one verse per line, the reference ("Ge1:1 ") removed.
# Output: <cache>/kjv/kjv.txt (31,102 lines), manifest.json. Used by chapters 2-4.
source "$(dirname "$0")/lib.sh"
cache="${1:-data/cache}"
out="$cache/kjv"
[ -f "$out/manifest.json" ] && { echo "kjv: already in $out"; exit 0; }
work="$out/work"
fetch_debs "$work" bible-kjv bible-kjv-text
bible="$work/root/usr/bin/bible"
# The bible program needs libreadline8; fetch it privately if this machine lacks it.
if ! ldd "$bible" | grep -q "libreadline.so.8 => /"; then
  fetch_debs "$work" libreadline8
  export LD_LIBRARY_PATH="$work/root/lib/x86_64-linux-gnu:$work/root/usr/lib/x86_64-linux-gnu"
fi
"$bible" -f -p "$work/root/usr/lib" gen1:1-rev22:21 > "$work/raw.txt"
# "Ge1:1 In the beginning ..." -> "In the beginning ..."
sed -E 's/^[1-3]?[A-Za-z]+[0-9]+:[0-9]+ //' "$work/raw.txt" > "$out/kjv.txt.tmp"
lines=$(wc -l < "$out/kjv.txt.tmp")
[ "$lines" -eq 31102 ] || { echo "kjv: expected 31102 verses, got $lines" >&2; exit 1; }
mv "$out/kjv.txt.tmp" "$out/kjv.txt"
write_manifest "$out" "  \"name\": \"kjv\",
  \"what\": \"King James Bible, one verse per line, references removed\",
  \"licence\": \"public domain\",
  \"packages\": {\"bible-kjv\": \"$(deb_version "$work" bible-kjv)\", \"bible-kjv-text\": \"$(deb_version "$work" bible-kjv-text)\"},
  \"files\": {\"kjv.txt\": {\"sha256\": \"$(sha256 "$out/kjv.txt")\", \"lines\": $lines, \"words\": $(wc -w < "$out/kjv.txt"), \"bytes\": $(wc -c < "$out/kjv.txt")}}"
rm -rf "$work"
echo "kjv: $lines verses in $out/kjv.txt"
