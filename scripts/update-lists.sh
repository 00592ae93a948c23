#!/usr/bin/env bash
# Regenerates the two data files warden ships, from pinned npm packages (the npm registry is reachable
# where Maven Central is). Run from the project root; commit the result with the versions in the message.
#   scripts/update-lists.sh
set -euo pipefail
DISPOSABLE=disposable-email-domains@1.0.62   # MIT
ZXCVBN=zxcvbn@4.4.2                          # MIT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$DISPOSABLE" "$ZXCVBN" >/dev/null && mkdir d z \
    && tar xzf disposable-email-domains-*.tgz -C d && tar xzf zxcvbn-*.tgz -C z)

out=src/main/resources/dev/kcwarden/signup/disposable-domains.txt
mkdir -p "$(dirname "$out")"
{
    echo "# Disposable email domains: npm package $DISPOSABLE (licence MIT), file index.json."
    echo "# Regenerate with scripts/update-lists.sh; one lower-case domain per line."
    node -e "require('$work/d/package/index.json').forEach(d => console.log(d.toLowerCase()))" | sort -u
} > "$out"

out=src/main/resources/dev/kcwarden/password/common-passwords.txt
mkdir -p "$(dirname "$out")"
{
    echo "# Most common passwords, by rank: npm package $ZXCVBN (licence MIT), lib/frequency_lists.js 'passwords'."
    echo "# Regenerate with scripts/update-lists.sh; one lower-case password per line."
    node -e "require('$work/z/package/lib/frequency_lists.js').passwords.forEach(p => console.log(String(p).toLowerCase()))"
} > "$out"
wc -l src/main/resources/dev/kcwarden/signup/disposable-domains.txt src/main/resources/dev/kcwarden/password/common-passwords.txt
