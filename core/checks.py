"""System checks run by every management command, `migrate` included: a deployment whose file store
cannot be written stops at the migration step (compose then starts neither web nor worker) with the
reason, instead of failing at the first upload."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.files)
def file_store_writable(app_configs, **kwargs) -> list[Error]:
    if settings.FILE_STORAGE != "local":
        return []  # an object store is checked by its first use; its credentials are not ours to probe here
    root = Path(settings.MEDIA_ROOT)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [
            Error(
                f"文件存储目录 MEDIA_ROOT={root} 无法创建：{exc}",
                id="core.E001",
                hint="检查路径；容器中挂载的卷须归运行用户（uid 1000，care）所有。",
            )
        ]
    if not os.access(root, os.W_OK | os.X_OK):
        return [
            Error(
                f"文件存储目录 MEDIA_ROOT={root} 不可写（当前用户 uid {os.getuid()}）",
                id="core.E001",
                hint="容器中挂载的卷须归运行用户（uid 1000，care）所有：chown -R 1000:1000 该目录。",
            )
        ]
    return []
