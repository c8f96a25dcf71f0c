#!/usr/bin/env bash
# Regenerates vectors.jsonl: signed URLs and cookies made by AWS's JavaScript
# signer (from the npm registry, version pinned in package.json) and by
# botocore (Debian's python3-botocore), with the test keys in ../keys.
# Needs node/npm and python3 with python3-botocore and python3-cryptography.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp package.json gen-js.mjs "$tmp/"
(cd "$tmp" && npm install --silent --no-audit --no-fund >/dev/null)
{
	(cd "$tmp" && node gen-js.mjs "$OLDPWD/../keys")
	/usr/bin/python3 gen-py.py ../keys
} >vectors.jsonl
echo "wrote $(wc -l <vectors.jsonl) vectors to $(pwd)/vectors.jsonl"
