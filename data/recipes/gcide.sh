#!/usr/bin/env bash
# gcide.sh: the GNU Collaborative International Dictionary of English (Webster's 1913 plus
# additions) from Debian's dict-gcide, as prose: gcide.dict.dz is gzip-compatible; each
# blank-line separated paragraph becomes one line, with pronunciations (\Ab*do"men\),
# bracketed etymologies and tags ([L. abdomen], [1913 Webster]), "--Author." citations and
# field labels like "(Anat.)" removed. Output: <cache>/gcide/gcide.txt, manifest.json.
# Used by chapter 3.
source "$(dirname "$0")/lib.sh"
cache="${1:-data/cache}"
out="$cache/gcide"
[ -f "$out/manifest.json" ] && { echo "gcide: already in $out"; exit 0; }
work="$out/work"
fetch_debs "$work" dict-gcide
dz="$work/root/usr/share/dictd/gcide.dict.dz"
# Paragraph mode (-00): one record per blank-line separated paragraph; deterministic.
# A few entries hold Windows-1252 bytes (0x92 for an apostrophe): those bytes are decoded
# as Windows-1252, everything else as UTF-8, so the output is valid UTF-8.
gzip -dc "$dz" | LC_ALL=C perl -MEncode -00 -ne '
  next if /^00-database/;             # dictd metadata entries
  $_ = decode("UTF-8", $_, sub { decode("cp1252", chr(shift)) });
  s/\s+/ /g;                          # one line per paragraph
  s/\\[^\\]*\\//g;                    # \pro*nun"ci*a`tion\
  s/\[[^\]]*\]//g;                    # [etymology], [1913 Webster], [R.]
  s/--[A-Z][^.]{0,40}\.//g;           # --Shak.  --Milton.  --Bailey.
  s/\([A-Z][a-z]+\.(?: [A-Z][a-z]+\.)*\)//g;   # (Anat.) (Zool.) field labels
  s/^ +| +$//g; s/ {2,}/ /g;
  print encode("UTF-8", "$_\n") if /[a-z]{2}/;   # skip empty and letterless paragraphs
' > "$out/gcide.txt.tmp"
lines=$(wc -l < "$out/gcide.txt.tmp")
[ "$lines" -gt 100000 ] || { echo "gcide: expected > 100000 paragraphs, got $lines" >&2; exit 1; }
mv "$out/gcide.txt.tmp" "$out/gcide.txt"
write_manifest "$out" "  \"name\": \"gcide\",
  \"what\": \"GCIDE dictionary prose, one paragraph per line, pronunciations, etymologies, tags and citations removed\",
  \"licence\": \"GPL-3+ (GCIDE), Webster's 1913 public domain\",
  \"packages\": {\"dict-gcide\": \"$(deb_version "$work" dict-gcide)\"},
  \"inputs\": {\"gcide.dict.dz\": {\"sha256\": \"$(sha256 "$dz")\"}},
  \"files\": {\"gcide.txt\": {\"sha256\": \"$(sha256 "$out/gcide.txt")\", \"lines\": $lines, \"words\": $(wc -w < "$out/gcide.txt"), \"bytes\": $(wc -c < "$out/gcide.txt")}}"
rm -rf "$work"
echo "gcide: $lines paragraphs in $out/gcide.txt"
