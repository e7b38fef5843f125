#!/usr/bin/env bash
# Continuous WAL archive for point-in-time recovery: streams every change into DIR as it is
# committed. Run it as a service beside the database (systemd, or a container restarted always).
#   PGHOST=db.internal PGUSER=replicator scripts/pitr_wal_archive.sh /srv/backups/wal
# A physical replication slot (PITR_SLOT, default care_wal_archive) makes the server keep the WAL the
# archive has not received yet, so a stopped archiver loses nothing; it also lets pg_wal grow while
# the archiver is down: set max_slot_wal_keep_size on the server and watch the archiver.
# No server restart is needed: wal_level=replica and max_wal_senders are PostgreSQL's defaults.
set -euo pipefail
dir="${1:?用法：scripts/pitr_wal_archive.sh WAL归档目录}"
slot="${PITR_SLOT:-care_wal_archive}"
mkdir -p "$dir"
pg_receivewal --directory="$dir" --slot="$slot" --create-slot --if-not-exists --no-password
# --synchronous: each piece of WAL is flushed to DIR as soon as it arrives (what a crash can lose is
# what the server had not yet sent: normally well under a second).
exec pg_receivewal --directory="$dir" --slot="$slot" --synchronous --no-password
