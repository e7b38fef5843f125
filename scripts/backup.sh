#!/usr/bin/env bash
# Back up the PostgreSQL database and uploaded files.
#   DATABASE_URL=postgres://user:pass@host:5432/care scripts/backup.sh [BACKUP_DIR]
# Writes BACKUP_DIR/care-YYYYmmdd-HHMMSS.dump (pg_dump custom format, compressed) and, when the
# uploaded files are on this disk (MEDIA_ROOT, default var/media), care-media-YYYYmmdd-HHMMSS.tar.gz.
# Keep copies off the machine. For minutes of loss instead of a day: scripts/pitr_*.sh (README).
set -euo pipefail
: "${DATABASE_URL:?设置 DATABASE_URL，例如 postgres://care:密码@127.0.0.1:5432/care}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "只支持 PostgreSQL 数据库的备份" >&2; exit 2;; esac
dir="${1:-var/backups}"
mkdir -p "$dir"
stamp="$(date +%Y%m%d-%H%M%S)"
dump="$dir/care-$stamp.dump"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$dump.partial"
mv "$dump.partial" "$dump"
pg_restore --list "$dump" >/dev/null  # the archive is readable
media="${MEDIA_ROOT:-var/media}"
# With FILE_STORAGE=s3 the files are in the object store (versioned bucket), not on this disk.
if [ "${FILE_STORAGE:-local}" = local ] && [ -d "$media" ]; then
  tar -czf "$dir/care-media-$stamp.tar.gz" -C "$(dirname "$media")" "$(basename "$media")"
fi
echo "$dump"
