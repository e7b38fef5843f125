"""bench/results.md from the results dict."""

from __future__ import annotations


def _fmt(value) -> str:
    return "—" if value is None else str(value)


def markdown(r: dict) -> str:
    lines = [
        "# 基准测试结果 (make bench)",
        "",
        f"Run {r['when']} on {r['machine']}; {r['members']} members. Data: "
        + ", ".join(f"{k} {v:,}" for k, v in r.get("data", {}).items()) + ".",
        "",
    ]
    if "pages" in r:
        lines += [
            "## Pages (server time through the full middleware stack, ms)",
            "",
            "| page | user | median | p95 | queries | admin p95 | ratio to admin |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for p in r["pages"]:
            admin = p.get("admin", {})
            lines.append(
                f"| {p['page']} | {p['user']} | {p['ms']['median']} | {p['ms']['p95']} | {p['queries']} | "
                f"{_fmt(admin.get('ms', {}).get('p95'))} | {_fmt(p.get('admin_ratio'))} |"
            )
        lines.append("")
    if "workbook" in r:
        w = r["workbook"]
        lines += [
            "## Annual workbook, whole unit",
            "",
            "| writer | median s | peak MB (over baseline) |",
            "|---|---:|---:|",
            f"| ours (core.xlsx, XlsxWriter constant memory) | {w['ours']['seconds']['median']} | {w['ours']['peak_mb']} |",
            f"| django-import-export default export | {w['import_export']['seconds']['median']} | "
            f"{w['import_export']['peak_mb']} |",
            f"| bare XlsxWriter constant memory (floor) | {w['xlsxwriter_floor']['seconds']['median']} | "
            f"{w['xlsxwriter_floor']['peak_mb']} |",
            "",
            f"Speed-up over import-export: **{_fmt(w['speedup_vs_import_export'])}×**; memory ratio "
            f"**{_fmt(w['memory_vs_import_export'])}**; time over the floor **{_fmt(w['time_vs_floor'])}×**.",
            "",
        ]
    if "import" in r:
        i = r["import"]
        lines += [
            "## Roster import, 10,000 rows",
            "",
            f"Ours: {i['ours']['seconds']['median']} s; django-import-export row by row: "
            f"{i['import_export']['seconds']['median']} s; speed-up **{_fmt(i['speedup'])}×**.",
            "",
        ]
    if "daily" in r:
        d = r["daily"]
        lines += [
            "## run_daily_jobs",
            "",
            f"Day {d['day']} ({d['birthdays']} political birthdays, 春节 plans due): median "
            f"{d['seconds']['median']} s, {d['queries']} queries. Created: {d['created']}.",
            "",
        ]
    if "load" in r:
        load = r["load"]
        lines += [
            f"## Load run ({load['seconds']} s each, gunicorn 2 workers, wrk 2 threads × 8 connections)",
            "",
            "| workload | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in ("mixed", "bare"):
            x = load[name]
            lines.append(f"| {name} | {x['rps']} | {x['p50_ms']} | {x['p95_ms']} | {x['p99_ms']} | {x['errors']} |")
        lines += ["", f"Mixed throughput / bare view: **{_fmt(load['throughput_ratio'])}**.", ""]
    lines.append(f"Total run time: {r.get('total_seconds', 0)} s.")
    return "\n".join(lines) + "\n"
