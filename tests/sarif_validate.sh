#!/bin/sh
# sarif_validate.sh FILE - check a SARIF log the way its consumers will.
#
#  1. JSON-schema validation against the OASIS SARIF 2.1.0 schema kept in
#     tests/schemas/ (ajv with draft-04 support, tests/sarif/validate-schema.js).
#  2. Microsoft's SARIF multitool, `validate` with its SARIF and GitHub rule
#     sets (what GitHub code scanning requires); any error or warning fails,
#     notes are allowed.
#
# The tools are pinned in tests/sarif/package-lock.json and installed once
# with `npm ci` into tests/sarif/node_modules (git-ignored); after that the
# script works offline. Needs node and npm (Debian: nodejs, npm).
# Exits 0 and prints "SARIF valid" on success, non-zero with the reasons
# otherwise.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tools=$here/sarif
schema=$here/schemas/sarif-schema-2.1.0.json

die() {
    echo "sarif_validate: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: $0 FILE.sarif"
file=$1
[ -f "$file" ] || die "$file: no such file"
command -v node >/dev/null 2>&1 || die "node is required (Debian: apt-get install nodejs npm)"

if [ ! -d "$tools/node_modules/ajv-draft-04" ] || [ ! -d "$tools/node_modules/@microsoft/sarif-multitool" ]; then
    command -v npm >/dev/null 2>&1 || die "npm is required to install the validators (Debian: apt-get install npm)"
    echo "sarif_validate: installing validators (npm ci --prefix tests/sarif)" >&2
    npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error >&2 ||
        die "npm ci failed in $tools"
fi

# 1. the schema
node "$tools/validate-schema.js" "$schema" "$file" || die "$file does not match the SARIF 2.1.0 schema"

# 2. the multitool. Its npm package only selects the platform's binary; run
# that binary directly (the package's bin.js passes arguments through a
# shell, which splits "Gh;Sarif" at the ';').
mt=$(cd "$tools" && node -e "process.stdout.write(require('@microsoft/sarif-multitool'))") ||
    die "no SARIF multitool for this platform"
[ -x "$mt" ] || chmod u+x "$mt" 2>/dev/null || true
[ -x "$mt" ] || die "$mt is not executable"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
# The multitool wants a .sarif name and writes its findings as SARIF too.
cp "$file" "$work/input.sarif"
# Invariant globalization: no need for libicu. The proxy settings point the
# one HTTP request it makes (reachability of $schema, rule SARIF2006, a note)
# at a closed local port, so it fails at once instead of leaving the machine.
if ! DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
    "$mt" validate --rule-kind "Gh;Sarif" --level "Error;Warning;Note" --log ForceOverwrite \
    -o "$work/report.sarif" "$work/input.sarif" >"$work/stdout" 2>&1; then
    cat "$work/stdout" >&2
    die "the multitool failed to run"
fi
[ -s "$work/report.sarif" ] || { cat "$work/stdout" >&2; die "the multitool wrote no report"; }
if ! node "$tools/check-multitool-log.js" "$work/report.sarif"; then
    grep -E ': (error|warning) ' "$work/stdout" | sed "s|$work/input.sarif|$file|" >&2 || true
    die "$file: the multitool reports errors or warnings"
fi

echo "SARIF valid"
