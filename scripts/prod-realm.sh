#!/usr/bin/env bash
# Writes deploy/realm/warden-realm.json, the realm docker-compose.yml imports: the demo realm of realm-export/
# (the one source, which the quickstart and the tests use) without its users, so no committed password reaches a
# production stack. ComposeFileTest fails when the copy differs from what this script writes.
#   bash scripts/prod-realm.sh        (needs jq)
set -euo pipefail
cd "$(dirname "$0")/.."
jq --indent 2 'del(.users)' realm-export/warden-realm.json > deploy/realm/warden-realm.json
