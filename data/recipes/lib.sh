# lib.sh: helpers for the data recipes (sourced, not run). A recipe fetches a corpus from
# Debian's packages without installing them system-wide (apt-get download + dpkg -x),
# converts it to UTF-8 text under data/cache/<name>/, and writes a manifest.json with the
# package versions, the sha256 of every input and output, and counts.
set -euo pipefail

# fetch_debs <dir> <package>...: downloads the .debs into <dir>/debs and unpacks each into
# <dir>/root (a private prefix). Prints nothing on success; fails with apt's message.
fetch_debs() {
  local dir; dir=$(realpath -m "$1"); shift
  mkdir -p "$dir/debs" "$dir/root"
  (cd "$dir/debs" && apt-get download "$@" >/dev/null 2>"$dir/debs/apt.log") || {
    echo "ladder data: apt-get download $* failed:" >&2; cat "$dir/debs/apt.log" >&2
    echo "(try: sudo apt-get update)" >&2; return 1; }
  for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/root"; done
}

# deb_version <dir> <package>: the version of a downloaded package.
deb_version() { dpkg-deb -f "$(ls "$1"/debs/"$2"_*.deb | head -1)" Version; }

sha256() { sha256sum "$1" | cut -d' ' -f1; }

# write_manifest <dir> <json-object-body>: writes <dir>/manifest.json atomically.
write_manifest() {
  printf '{\n%s\n}\n' "$2" > "$1/manifest.json.tmp" && mv "$1/manifest.json.tmp" "$1/manifest.json"
}
