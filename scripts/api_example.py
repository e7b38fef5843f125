#!/usr/bin/env python3
"""An example client of the integration API (README, "数据接口"): keeps a copy of the roster in step
and logs a visit from the field. Standard library only.

    python scripts/api_example.py --url http://127.0.0.1:8000 --token care_00000001_…

First run: reads the changes feed's current cursor, then the whole roster page by page (cursor
pagination) into <state>/roster.json. Later runs: reads only what changed since the saved cursor
(new, changed and deleted members) and updates the copy.

Then, with --visit-member and --visitor (member ids), it logs a visit with an Idempotency-Key that
it saves *before* sending: a run interrupted after sending sends the same key again, and the server
answers with the visit it already made instead of making a second one. To show it, the request is
sent twice here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path


class Api:
    def __init__(self, base: str, token: str):
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise SystemExit("--url 应以 http:// 或 https:// 开头")
        self.base = base.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        url = path if path.startswith("http") else f"{self.base}{path}"
        data = json.dumps(body).encode() if body is not None else None
        # Only http(s): the base was checked, and `next` and `url` links come from the API itself.
        request = urllib.request.Request(  # noqa: S310
            url,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, dict(response.headers), json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read() or b"{}")
            raise SystemExit(f"{method} {url} → {error.code} {answer.get('code')}：{answer.get('message')}") from None

    def get(self, path: str, **params):
        query = urllib.parse.urlencode({key: value for key, value in params.items() if value is not None})
        return self.call("GET", f"{path}?{query}" if query else path)[2]


def sync_roster(api: Api, state_dir: Path) -> dict:
    roster_file, state_file = state_dir / "roster.json", state_dir / "state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    roster = (
        {int(key): value for key, value in json.loads(roster_file.read_text()).items()} if roster_file.exists() else {}
    )
    if "cursor" not in state:
        # The feed's cursor first: whatever changes while the roster is read is then read again next time.
        state["cursor"] = api.get("/api/v1/changes/", since="latest")["cursor"]
        page = api.get("/api/v1/members/", page_size=200)
        while True:
            roster.update({member["id"]: member for member in page["results"]})
            if not page["next"]:
                break
            page = api.get(page["next"])
        print(f"名册全量同步：{len(roster)} 名党员")
    else:
        changed = deleted = 0
        while True:
            feed = api.get("/api/v1/changes/", since=state["cursor"], types="member")
            for change in feed["results"]:
                if change["action"] == "deleted":
                    deleted += roster.pop(change["object_id"], None) is not None
                else:
                    roster[change["object_id"]] = api.get(change["url"])
                    changed += 1
            state["cursor"] = feed["cursor"]
            if not feed["more"]:
                break
        print(f"名册增量同步：{changed} 条新增或变更，{deleted} 条删除，共 {len(roster)} 名党员")
    roster_file.write_text(json.dumps(roster, ensure_ascii=False, indent=1))
    state_file.write_text(json.dumps(state))
    return roster


def log_visit(api: Api, state_dir: Path, *, member: int, visitor: int, notes: str) -> int:
    pending_file = state_dir / "pending_visit.json"
    if pending_file.exists():  # an earlier run sent it and did not hear back: the same key again
        pending = json.loads(pending_file.read_text())
    else:
        pending = {
            "key": str(uuid.uuid4()),
            "body": {
                "member": member,
                "visitors": [visitor],
                "visited_on": dt.date.today().isoformat(),
                "occasion": "routine",
                "notes": notes,
            },
        }
        pending_file.write_text(json.dumps(pending, ensure_ascii=False))
    answers = []
    for attempt in ("登记走访", "重试同一请求"):
        status, headers, visit = api.call(
            "POST", "/api/v1/visits/", pending["body"], {"Idempotency-Key": pending["key"]}
        )
        replayed = headers.get("Idempotent-Replayed") == "true"
        note = "（服务器返回第一次的结果，没有重复登记）" if replayed else ""
        print(f"{attempt}：{status}，走访记录编号 {visit['id']}{note}")
        answers.append(visit["id"])
    pending_file.unlink()
    if answers[0] != answers[1]:
        raise SystemExit("同一幂等键得到了两条记录")
    return answers[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="数据接口示例：同步党员名册，登记一次走访")
    parser.add_argument("--url", required=True, help="系统地址，如 http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="接口令牌（组织部在“接口令牌”页面签发）")
    parser.add_argument("--state", default="var/api_example", help="本地副本和游标的目录")
    parser.add_argument("--visit-member", type=int, help="走访对象的党员编号")
    parser.add_argument("--visitor", type=int, help="走访人的党员编号")
    parser.add_argument("--notes", default="上门了解生活情况，送去慰问信")
    args = parser.parse_args(argv)
    state_dir = Path(args.state)
    state_dir.mkdir(parents=True, exist_ok=True)
    api = Api(args.url, args.token)
    me = api.get("/api/v1/me/")
    print(f"调用者：{me['display_name']}，权限：{'、'.join(me['permissions'])}")
    sync_roster(api, state_dir)
    if args.visit_member and args.visitor:
        log_visit(api, state_dir, member=args.visit_member, visitor=args.visitor, notes=args.notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
