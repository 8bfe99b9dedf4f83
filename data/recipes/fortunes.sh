#!/usr/bin/env bash
# fortunes.sh: quotes from Debian's fortunes + fortunes-min, grouped by category, for the
# bag-of-words chapter: which category does a quote come from? Items are separated by lines
# holding only "%"; we keep 11 well-separated categories with >= ~150 items each.
# Output: <cache>/fortunes/{train,validation,test}.tsv (one item per line: "category<TAB>text",
# whitespace collapsed), categories.txt, manifest.json. Used by chapter 2.
#
# The subset: computers food kids law linux love politics science sports startrek work.
# (medicine, pets, news... have fewer than 150 items; people, definitions, cookie and the
# like are not about one topic.) Cleaning: overstrike sequences ("_\bx", "___\b\b\bnot") are
# removed, runs of whitespace become one space, empty items are dropped, and a text that
# occurs more than once is kept once (and dropped entirely when two categories claim it).
# The split is deterministic and independent of file order: FNV-1a (32-bit) of the cleaned
# text, h % 100 < 70 -> train, < 85 -> validation, else test. Every copy of a text hashes
# alike, so no quote is in two splits.
source "$(dirname "$0")/lib.sh"
cache="${1:-data/cache}"
out="$cache/fortunes"
[ -f "$out/manifest.json" ] && { echo "fortunes: already in $out"; exit 0; }
command -v perl >/dev/null || { echo "fortunes: needs perl (Debian package perl)" >&2; exit 1; }
work="$out/work"
rm -rf "$work"
fetch_debs "$work" fortunes fortunes-min
src="$work/root/usr/share/games/fortunes"
categories="computers food kids law linux love politics science sports startrek work"
for c in $categories; do
  [ -f "$src/$c" ] || { echo "fortunes: category file $c missing from the package" >&2; exit 1; }
  # Every file must be UTF-8 already (the package ships UTF-8; a few are plain ASCII).
  iconv -f UTF-8 -t UTF-8 "$src/$c" >/dev/null || { echo "fortunes: $src/$c is not valid UTF-8" >&2; exit 1; }
done

# [book:fortunes-split]
perl -CSD -e '
  use strict; use warnings;
  my ($src, $out, @cats) = @ARGV;
  my (%label, %dup, @order);
  for my $c (@cats) {
    open(my $fh, "<:encoding(UTF-8)", "$src/$c") or die "fortunes: $src/$c: $!\n";
    local $/ = undef; my $all = <$fh>; close $fh;
    for my $item (split /^%[ \t]*(?:\r?\n|\z)/m, $all) {
      1 while $item =~ s/[^\x08]\x08//g;           # overstrike: "_\bx" -> "x"
      $item =~ s/[\x00-\x08\x0b-\x1f\x7f]//g;      # other control characters
      $item =~ s/\s+/ /g; $item =~ s/^ | $//g;      # one line, single spaces
      next if $item eq "";
      if (exists $label{$item}) { $dup{$item} = 1 if $label{$item} ne $c; next; }
      $label{$item} = $c; push @order, $item;
    }
  }
  my %fh; my %count;
  for my $s ("train", "validation", "test") { open($fh{$s}, ">:encoding(UTF-8)", "$out/$s.tsv.tmp") or die; }
  for my $item (@order) {
    next if $dup{$item};
    my $h = 0x811c9dc5;                               # FNV-1a over the UTF-8 bytes
    { use bytes; for my $b (unpack("C*", $item)) { $h = (($h ^ $b) * 16777619) & 0xffffffff; } }
    my $r = $h % 100;
    my $s = $r < 70 ? "train" : $r < 85 ? "validation" : "test";
    print { $fh{$s} } "$label{$item}\t$item\n";
    $count{$s}{$label{$item}}++;
  }
  close $fh{$_} for keys %fh;
  open(my $cj, ">", "$out/counts.json.tmp") or die;
  print $cj "{", join(", ", map { my $s = $_; "\"$s\": {" . join(", ", map { "\"$_\": " . ($count{$s}{$_} // 0) } @cats) . "}" } ("train", "validation", "test")), "}";
  close $cj;
  print STDERR "fortunes: ", scalar(keys %dup), " texts claimed by two categories dropped\n";
' "$src" "$out" $categories
# [/book]

for s in train validation test; do mv "$out/$s.tsv.tmp" "$out/$s.tsv"; done
echo "$categories" | tr ' ' '\n' > "$out/categories.txt"
counts=$(cat "$out/counts.json.tmp"); rm -f "$out/counts.json.tmp"
files=""
for s in train validation test; do
  f="$out/$s.tsv"
  files="$files${files:+, }\"$s.tsv\": {\"sha256\": \"$(sha256 "$f")\", \"items\": $(wc -l < "$f"), \"words\": $(cut -f2 "$f" | wc -w), \"bytes\": $(wc -c < "$f")}"
done
write_manifest "$out" "  \"name\": \"fortunes\",
  \"what\": \"fortune(6) quotes by category; one item per line: category TAB text; split by FNV-1a(text) % 100: <70 train, <85 validation, else test\",
  \"licence\": \"see /usr/share/doc/fortunes/copyright in the package (BSD fortune files, various public sources)\",
  \"packages\": {\"fortunes\": \"$(deb_version "$work" fortunes)\", \"fortunes-min\": \"$(deb_version "$work" fortunes-min)\"},
  \"inputs\": {$(for c in $categories; do printf '"%s": "%s", ' "$c" "$(sha256 "$src/$c")"; done | sed 's/, $//')},
  \"categories\": [$(for c in $categories; do printf '"%s", ' "$c"; done | sed 's/, $//')],
  \"counts\": $counts,
  \"files\": {$files}"
rm -rf "$work"
echo "fortunes: $(cat "$out"/train.tsv | wc -l) train, $(wc -l < "$out/validation.tsv") validation, $(wc -l < "$out/test.tsv") test items in $out"
