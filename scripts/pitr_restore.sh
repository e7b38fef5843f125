#!/usr/bin/env bash
# Restore a base backup and replay the WAL archive up to a chosen moment, into a NEW data directory.
#   scripts/pitr_restore.sh BASE_DIR WAL_DIR "2026-11-28 10:15:00+08" NEW_DATA_DIR
# Run it as the PostgreSQL user (postgres). Then start a server on NEW_DATA_DIR, e.g.
#   pg_ctl -D NEW_DATA_DIR -o "-p 5433" -w -t 3600 start
# It replays the archived WAL to the last transaction committed at or before that moment, stops
# there and opens for writes. Check the data (manage.py verify_funds), then point DATABASE_URL at it.
# Uploaded files: untar BASE_DIR/media.tar.gz of the base backup taken before that moment into
# MEDIA_ROOT (files uploaded after the base backup come from the nightly copies or the object store's
# versions).
set -euo pipefail
base="${1:?用法：scripts/pitr_restore.sh 基础备份目录 WAL归档目录 恢复到的时间 新数据目录}"
wal="${2:?缺少 WAL 归档目录}"
target="${3:?缺少恢复到的时间，例如 \"2026-11-28 10:15:00+08\"}"
data="${4:?缺少新数据目录}"
[ -f "$base/backup_label" ] || { echo "不是基础备份目录：$base" >&2; exit 2; }
[ -d "$wal" ] || { echo "找不到 WAL 归档目录：$wal" >&2; exit 2; }
case "$wal" in *\'*|*\ *) echo "WAL 归档目录的路径不能含空格或引号：$wal" >&2; exit 2;; esac
if [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
  echo "新数据目录必须为空或不存在：$data（不要覆盖现有数据库）" >&2; exit 2
fi
wal="$(cd "$wal" && pwd)"
mkdir -p "$data"
chmod 700 "$data"
cp -a "$base/." "$data/"
rm -f "$data/media.tar.gz" "$data/backup_manifest" "$data/postmaster.pid"
# A Debian cluster keeps its configuration outside the data directory: give the copy a minimal one.
[ -f "$data/postgresql.conf" ] || printf "# restored by scripts/pitr_restore.sh\n" > "$data/postgresql.conf"
[ -f "$data/pg_hba.conf" ] || printf "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n" > "$data/pg_hba.conf"
# The segment pg_receivewal was still writing is named .partial: it holds the last minutes.
cat >> "$data/postgresql.auto.conf" <<CONF
restore_command = 'cp "$wal/%f" "%p" 2>/dev/null || cp "$wal/%f.partial" "%p" 2>/dev/null'
recovery_target_time = '$target'
recovery_target_action = 'promote'
CONF
touch "$data/recovery.signal"
echo "已准备 $data：启动 PostgreSQL 后回放到 $target"
