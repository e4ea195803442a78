#!/bin/sh
# Online backup of the relay store (safe while the relay runs: SQLite's backup API, not a file
# copy). Keeps the newest $KEEP backups. Run by wardline-relay-backup.timer; see docs/deployment.md.
set -eu
DATA="${WARDLINE_RELAY_DATA:-/var/lib/private/wardline-relay}"
DEST="${WARDLINE_RELAY_BACKUPS:-/var/backups/wardline-relay}"
KEEP="${WARDLINE_RELAY_KEEP:-14}"

umask 077
mkdir -p "$DEST"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$DEST/relay-$stamp.sqlite"
sqlite3 "$DATA/relay.sqlite" ".timeout 10000" ".backup '$target'"
# A backup that does not pass the integrity check is not a backup.
if [ "$(sqlite3 "$target" 'PRAGMA integrity_check;')" != "ok" ]; then
  echo "wardline-relay-backup: integrity check failed for $target" >&2
  rm -f "$target"
  exit 1
fi
gzip -9 "$target"
ls -1t "$DEST"/relay-*.sqlite.gz | tail -n +"$((KEEP + 1))" | xargs -r rm -f
echo "wardline-relay-backup: wrote $target.gz"
