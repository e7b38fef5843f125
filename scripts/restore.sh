#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database named by TARGET_DATABASE_URL.
#   TARGET_DATABASE_URL=postgres://user:pass@host:5432/care_restored scripts/restore.sh FILE.dump
# The target database must exist (createdb) and should be empty; objects it already has are
# replaced (--clean --if-exists). Run `manage.py verify_funds` against it afterwards.
set -euo pipefail
dump="${1:?用法：scripts/restore.sh 备份文件.dump}"
: "${TARGET_DATABASE_URL:?设置 TARGET_DATABASE_URL（要恢复到的数据库）}"
[ -r "$dump" ] || { echo "找不到备份文件：$dump" >&2; exit 2; }
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --dbname="$TARGET_DATABASE_URL" "$dump"
echo "已恢复到 $TARGET_DATABASE_URL"
