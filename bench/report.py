"""bench/results.md from the results dict."""

from __future__ import annotations


def _fmt(value) -> str:
    return "—" if value is None else str(value)


LIST_PAGES = ("党员名册", "困难党员台帐", "结对帮扶", "走访慰问", "谈心谈话", "帮扶申请", "谈心走访覆盖")
DASHBOARDS = ("首页", "统计报表")


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("✅ met" if ok else "❌ not met")


def targets(r: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met?) for every target of the performance issue that this run measured."""
    rows: list[tuple[str, str, bool | None]] = []
    pages = r.get("pages", [])
    if pages:
        measured = [p for p in pages if not p["page"].startswith(DASHBOARDS)]
        worst = max(measured, key=lambda p: p["queries"])
        rows.append(
            (
                "every list and detail page ≤ 15 queries (dashboards apart)",
                f"max {worst['queries']} ({worst['page']}, {worst['user']})",
                all(p["queries"] <= 15 for p in measured),
            )
        )
        lists = [p for p in pages if p["page"].startswith(LIST_PAGES)]
        slow = [p for p in lists if p["ms"]["p95"] > 150]
        rows.append(
            (
                "list pages p95 ≤ 150 ms",
                f"{len(lists) - len(slow)} of {len(lists)} within; slowest "
                + (f"{max(p['ms']['p95'] for p in lists)} ms" if lists else "—"),
                not slow,
            )
        )
        ratios = [p["admin_ratio"] for p in lists if p.get("admin_ratio") is not None]
        rows.append(
            (
                "list pages no slower than the admin changelist (ratio ≤ 1.0)",
                f"{sum(x <= 1.0 for x in ratios)} of {len(ratios)} within; worst {max(ratios, default='—')}",
                all(x <= 1.0 for x in ratios),
            )
        )
        dash = [p for p in pages if p["page"].startswith(DASHBOARDS)]
        rows.append(
            (
                "dashboard p95 ≤ 300 ms",
                "; ".join(f"{p['page']} ({p['user']}) {p['ms']['p95']} ms" for p in dash),
                all(p["ms"]["p95"] <= 300 for p in dash),
            )
        )
    if "workbook" in r:
        w = r["workbook"]
        rows += [
            (
                "annual workbook ≥ 5× faster than import-export",
                f"{_fmt(w['speedup_vs_import_export'])}×",
                w["speedup_vs_import_export"] is not None and w["speedup_vs_import_export"] >= 5,
            ),
            (
                "annual workbook ≤ 1/5 of import-export's peak memory",
                f"{_fmt(w['memory_vs_import_export'])}",
                w["memory_vs_import_export"] is not None and w["memory_vs_import_export"] <= 0.2,
            ),
            (
                "annual workbook within 2× of the bare XlsxWriter floor",
                f"{_fmt(w['time_vs_floor'])}×",
                w["time_vs_floor"] is not None and w["time_vs_floor"] <= 2,
            ),
        ]
    if "import" in r:
        rows.append(
            (
                "roster import ≥ 5× faster than row-by-row",
                f"{_fmt(r['import']['speedup'])}×",
                r["import"]["speedup"] is not None and r["import"]["speedup"] >= 5,
            )
        )
    if "daily" in r:
        d = r["daily"]
        rows.append(
            ("run_daily_jobs ≤ 5 s", f"{d['seconds']['median']} s, {d['queries']} queries", d["seconds"]["median"] <= 5)
        )
    if "load" in r:
        load = r["load"]
        errors = sum(load[name]["errors"] for name in ("mixed", "all_pages", "bare") if name in load)
        rows.append(("load run without errors", f"{errors} errors", errors == 0))
        rows.append(
            (
                "mixed throughput ≥ 30% of the bare view",
                f"{_fmt(load['throughput_ratio'])}",
                load["throughput_ratio"] is not None and load["throughput_ratio"] >= 0.3,
            )
        )
        rows.append(
            (
                "working-day mix ≥ 0.10 of the bare view, p95 < 500 ms (issue 21 §2)",
                f"{_fmt(load['throughput_ratio'])}, p95 {load['mixed']['p95_ms']} ms",
                load["throughput_ratio"] is not None
                and load["throughput_ratio"] >= 0.10
                and load["mixed"]["p95_ms"] < 500,
            )
        )
    phone = r.get("phone", {})
    if phone.get("pages"):
        t = phone["targets"]
        for key, name, better in (
            ("performance", f"Lighthouse performance ≥ {t['performance']}", max),
            ("accessibility", f"Lighthouse accessibility ≥ {t['accessibility']}", max),
            ("first_kb", f"first visit ≤ {t['first_kb']} KB transferred", min),
            ("repeat_kb", f"repeat visit ≤ {t['repeat_kb']} KB transferred", min),
        ):
            values = [p[key] for p in phone["pages"]]
            worst = min(values) if better is max else max(values)
            ok = all((v >= t[key]) if better is max else (v <= t[key]) for v in values)
            rows.append((f"{name} (phone, 5 pages)", f"worst {worst}", ok))
    return rows


SECRETARY = "shuji1"


def _ratio(a, b):
    return round(b / a, 2) if a else None


def growth(county: dict, city: dict) -> dict:
    """Each figure at both scales and their ratio, with the issue's city targets."""
    rows = []
    city_pages = {(p["page"], p["user"]): p for p in city.get("pages", [])}
    for p in county.get("pages", []):
        q = city_pages.get((p["page"], p["user"]))
        if q is None:
            continue
        dashboard = p["page"].startswith((*DASHBOARDS, "谈心走访覆盖")) and p["user"] != SECRETARY
        limit = 1.2 if p["user"] == SECRETARY else 2.0 if dashboard else None
        ratio = _ratio(p["ms"]["p95"], q["ms"]["p95"])
        rows.append(
            {
                "page": p["page"],
                "user": p["user"],
                "county_p95": p["ms"]["p95"],
                "city_p95": q["ms"]["p95"],
                "ratio": ratio,
                "limit": limit,
                "county_queries": p["queries"],
                "city_queries": q["queries"],
                "county_admin_ratio": p.get("admin_ratio"),
                "city_admin_ratio": q.get("admin_ratio"),
            }
        )
    result: dict = {"pages": rows}
    if "daily" in county and "daily" in city:
        a, b = county["daily"], city["daily"]
        work = lambda d: sum(v for job in d.get("created", {}).values() for v in job.values())  # noqa: E731
        result["daily"] = {
            "county_s": a["seconds"]["median"],
            "city_s": b["seconds"]["median"],
            "ratio": _ratio(a["seconds"]["median"], b["seconds"]["median"]),
            "county_queries": a["queries"],
            "city_queries": b["queries"],
            "county_work": work(a),
            "city_work": work(b),
            "work_ratio": _ratio(work(a), work(b)),
        }
    if "workbook" in county and "workbook" in city:
        a, b = county["workbook"], city["workbook"]
        result["workbook"] = {
            "county_s": a["ours"]["seconds"]["median"],
            "city_s": b["ours"]["seconds"]["median"],
            "city_vs_floor": b["time_vs_floor"],
            "county_peak_mb": a["ours"]["peak_mb"],
            "city_peak_mb": b["ours"]["peak_mb"],
        }
    if "import" in county and "import" in city:
        a, b = county["import"]["ours"]["seconds"]["median"], city["import"]["ours"]["seconds"]["median"]
        result["import"] = {"county_s": a, "city_s": b, "ratio": _ratio(a, b)}
    return result


def growth_markdown(r: dict) -> list[str]:
    g, city = r["growth"], r["city"]
    lines = [
        f"## County and city (growth table, city at scale {city.get('scale')})",
        "",
        f"City run {city['when']}: {city['members']:,} members. Data: "
        + ", ".join(f"{k} {v:,}" for k, v in city.get("data", {}).items())
        + (f"; built in {city['build_seconds']} s" if city.get("build_seconds") else "; database reused")
        + ".",
        "",
    ]
    rows = g.get("pages", [])
    if rows:
        same = all(x["county_queries"] == x["city_queries"] for x in rows)
        within = [x for x in rows if x["limit"] is not None]
        over = [x for x in within if x["ratio"] is not None and x["ratio"] > x["limit"]]
        admin = [x for x in rows if x["county_admin_ratio"] is not None]
        slower = [x for x in admin if max(x["county_admin_ratio"], x["city_admin_ratio"] or 0) > 1.0]
        lines += [
            "| target | measured | |",
            "|---|---|---|",
            f"| every page's query count the same at both scales | "
            f"{sum(x['county_queries'] == x['city_queries'] for x in rows)} of {len(rows)} | {_mark(same)} |",
            f"| secretary's pages p95 within 1.2×, 组织部 dashboards within 2× of county | "
            f"{len(within) - len(over)} of {len(within)} within | {_mark(not over)} |",
            f"| 组织部 list pages no slower than the admin changelist at either scale | "
            f"{len(admin) - len(slower)} of {len(admin)} | {_mark(not slower)} |",
        ]
        if "daily" in g:
            d = g["daily"]
            ok = d["county_queries"] == d["city_queries"] and (d["ratio"] or 0) <= max(d["work_ratio"] or 0, 1)
            lines.append(
                f"| run_daily_jobs: same queries, time ≤ proportional to the work created | "
                f"{d['county_queries']} / {d['city_queries']} queries; time ×{d['ratio']}, work ×{d['work_ratio']}"
                f" | {_mark(ok)} |"
            )
        if "workbook" in g:
            w = g["workbook"]
            lines.append(
                f"| city workbook within 1.3× of the floor, peak ≤ county + 20% | {w['city_vs_floor']}× "
                f"({w['city_s']} s; county {w['county_s']} s); peak +{w['city_peak_mb']} MB vs "
                f"+{w['county_peak_mb']} MB | "
                f"{_mark((w['city_vs_floor'] or 9) <= 1.3 and w['city_peak_mb'] <= 1.2 * w['county_peak_mb'])} |"
            )
        if "import" in g:
            i = g["import"]
            lines.append(
                f"| roster import into the city within 1.2× of the county | ×{i['ratio']} "
                f"({i['city_s']} s vs {i['county_s']} s) | "
                f"{_mark((i['ratio'] or 9) <= 1.2)} |"
            )
        lines += [
            "",
            "| page | user | county p95 | city p95 | ratio | limit | queries county / city | "
            "admin ratio county / city |",
            "|---|---|---:|---:|---:|---:|---|---|",
        ]
        for x in rows:
            lines.append(
                f"| {x['page']} | {x['user']} | {x['county_p95']} | {x['city_p95']} | {_fmt(x['ratio'])} | "
                f"{_fmt(x['limit'])} | {x['county_queries']} / {x['city_queries']} | "
                f"{_fmt(x['county_admin_ratio'])} / {_fmt(x['city_admin_ratio'])} |"
            )
        lines.append("")
    if "daily" in g:
        d = g["daily"]
        lines += [
            f"run_daily_jobs: county {d['county_s']} s ({d['county_queries']} queries, {d['county_work']} rows "
            f"created), city {d['city_s']} s ({d['city_queries']} queries, {d['city_work']} rows created).",
            "",
        ]
    if "load" in r and "load" in city:
        lines += [
            "| load (issue 21 §2: mix ≥ 0.10 of the bare view, p95 < 500 ms) | county | city |",
            "|---|---:|---:|",
        ]
        for label, read in (
            ("first pass over every page, figures cold (s)", lambda x: x.get("warm_up_seconds", "—")),
            ("working-day mix req/s", lambda x: x["mixed"]["rps"]),
            ("bare view req/s", lambda x: x["bare"]["rps"]),
            ("mix / bare", lambda x: _fmt(x["throughput_ratio"])),
            ("mix p95 ms", lambda x: x["mixed"]["p95_ms"]),
            ("errors", lambda x: sum(x[n]["errors"] for n in ("mixed", "all_pages", "bare") if n in x)),
        ):
            lines.append(f"| {label} | {read(r['load'])} | {read(city['load'])} |")
        met = [
            x["throughput_ratio"] is not None and x["throughput_ratio"] >= 0.10 and x["mixed"]["p95_ms"] < 500
            for x in (r["load"], city["load"])
        ]
        lines += ["", f"Load target at county {_mark(met[0])}, at city {_mark(met[1])}.", ""]
    return lines


def markdown(r: dict) -> str:
    lines = [
        "# 基准测试结果 (make bench)",
        "",
        f"Run {r['when']} on {r['machine']}; {r['members']} members. Data: "
        + ", ".join(f"{k} {v:,}" for k, v in r.get("data", {}).items())
        + ".",
        "",
    ]
    checked = targets(r)
    if checked:
        lines += ["## Targets of the performance issue", "", "| target | this run | |", "|---|---|---|"]
        lines += [f"| {name} | {measured} | {_mark(ok)} |" for name, measured, ok in checked]
        lines.append("")
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
            f"## Load run ({load['seconds']} s each, gunicorn {load.get('workers', 2)} workers as gunicorn.conf.py "
            "sets them, wrk 2 threads × 8 connections)",
            "",
            "| workload | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        names = {"mixed": "mixed (working-day mix)", "all_pages": "every page of the table", "bare": "bare view"}
        for name, title in names.items():
            if name in load:
                x = load[name]
                lines.append(
                    f"| {title} | {x['rps']} | {x['p50_ms']} | {x['p95_ms']} | {x['p99_ms']} | {x['errors']} |"
                )
        lines += [
            "",
            f"Mixed throughput / bare view: **{_fmt(load['throughput_ratio'])}**"
            + (
                f"; every page of the table / bare view: {_fmt(load['all_pages_ratio'])}."
                if "all_pages" in load
                else "."
            ),
            "",
        ]
        if "warm_up_seconds" in load:
            lines += [
                f"Before the load, each page of both workloads was opened once in turn on the freshly started "
                f"server (its figures cold): **{load['warm_up_seconds']} s** in all. The load then measures a "
                "working day's server, its figures computed.",
                "",
            ]
    phone = r.get("phone", {})
    if phone.get("pages"):
        t = phone["targets"]
        lines += [
            f"## On a phone (Lighthouse {phone['lighthouse']}, {phone['chromium']}, mobile profile, default "
            "simulated throttling)",
            "",
            f"| page | user | performance (≥{t['performance']}) | accessibility (≥{t['accessibility']}) | "
            f"first visit KB (≤{t['first_kb']}) | repeat visit KB (≤{t['repeat_kb']}) | LCP ms | failed audits |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for p in phone["pages"]:
            lines.append(
                f"| {p['page']} | {p['user']} | {p['performance']} | {p['accessibility']} | {p['first_kb']} | "
                f"{p['repeat_kb']} | {p['lcp_ms']} | {'; '.join(p['failed']) or '—'} |"
            )
        lines += [
            "",
            "Repeat visit: the responses that are not static files, plus static files without a long "
            "cache lifetime (static files are served by content hash with a one-year `immutable` lifetime).",
            "",
        ]
    if "growth" in r:
        lines += growth_markdown(r)
    if r.get("build_seconds"):
        lines.append(f"County database built in {r['build_seconds']} s.")
    lines.append(f"Total run time: {r.get('total_seconds', 0)} s.")
    for rerun in r.get("partial_reruns", []):
        lines.append(f"Re-run afterwards on the same database (`--reuse --only`): {rerun}.")
    return "\n".join(lines) + "\n"
