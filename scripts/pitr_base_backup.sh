#!/usr/bin/env bash
# Base backup for point-in-time recovery, with the uploaded files of the same moment.
#   PGHOST=db.internal PGUSER=replicator scripts/pitr_base_backup.sh /srv/backups/base   # nightly, e.g. cron
# Writes DIR/base-YYYYmmddTHHMMSSZ/ (pg_basebackup, plain format, checked with pg_verifybackup) and,
# when the uploaded files are on a local disk (FILE_STORAGE=local), DIR/base-…/media.tar.gz.
# Needs a replication connection (pg_hba.conf: `host replication <user> <address> scram-sha-256`).
# Together with scripts/pitr_wal_archive.sh any moment since the oldest kept base backup can be
# restored (scripts/pitr_restore.sh). Keep copies off the machine; delete old bases and the WAL
# segments older than the oldest base you keep.
set -euo pipefail
dir="${1:?用法：scripts/pitr_base_backup.sh 备份目录}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$dir/base-$stamp"
mkdir -p "$dir"
pg_basebackup --pgdata="$target.partial" --format=plain --wal-method=stream --checkpoint=fast \
  --label="care base $stamp" --no-password
pg_verifybackup --quiet "$target.partial"
media="${MEDIA_ROOT:-var/media}"
if [ "${FILE_STORAGE:-local}" = local ] && [ -d "$media" ]; then
  tar -czf "$target.partial/media.tar.gz" -C "$media" .
fi
mv "$target.partial" "$target"
echo "$target"
