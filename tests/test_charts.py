"""Charts: every kind renders a valid 1200x675 PNG from the real seed, plots
exactly the reply's figures, caches by data version, and a failed render
still gives the text answer."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.render.charts.data import chart_series
from bot.engine.gallery import gallery
from bot.render.charts.registry import KINDS, ChartError, all_kinds, gallery_lines
from bot.render.charts.service import ChartService, png_size, render_png

GALLERY = gallery_lines()
from bot.reply import Chart, Reply

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, seed_copy):
    e = Engine.open(seed_copy(tmp_path_factory.mktemp("charts") / "t.db"))
    e.charts.warm(wait=True)  # the workers start once for the module, before any test waits on them
    yield e
    e.close()


@pytest.fixture(scope="module")
def replies(engine):
    out = {}
    for slug, line in GALLERY:
        r = engine.handle(line)
        assert r.status == "ok", (line, r.text)
        assert r.chart is not None, line
        out[slug] = r
    return out


def check_png(png: bytes) -> None:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(png) == (1200, 675)
    assert len(png) <= 200_000


# ---------------------------------------------------------------------------
# every kind renders
# ---------------------------------------------------------------------------
def test_gallery_covers_every_kind(replies):
    assert {r.chart.kind for r in replies.values()} == set(KINDS)


def test_each_kind_declares_its_gallery_and_a_sample_that_draws(replies):
    """One declaration per kind: its gallery lines answer with that kind, and
    its warm-up sample draws a valid PNG."""
    assert [k.name for k in all_kinds()] == list(KINDS)
    for kind in all_kinds():
        assert kind.gallery, kind.name
        for slug, _line in kind.gallery:
            assert replies[slug].chart.kind == kind.name
        check_png(render_png(kind.name, kind.sample, "sample", "Source: test · as of 2025-01-01"))


@pytest.mark.parametrize("slug", [s for s, _ in GALLERY])
def test_every_chart_renders_a_valid_png(engine, replies, slug):
    png = engine.charts.render(replies[slug])
    check_png(png)


def test_attach_chart_adds_the_png(engine):
    reply = engine.attach_chart(engine.handle("gap us china"))
    assert [f.filename for f in reply.files] == ["chart.png"]
    check_png(reply.files[0].data)


# ---------------------------------------------------------------------------
# the series plotted are the reply's figures
# ---------------------------------------------------------------------------
def test_race_series(replies):
    d = replies["race"].data
    s = chart_series("race", d)
    assert list(s["lines"]) == d["countries"]
    for c in d["countries"]:
        assert s["lines"][c] == [list(p) for p in d["series"][c]]
    assert s["leader"] == d["leader"]


@pytest.mark.parametrize("slug", ["gap-us-china", "gap-closed-open", "gap-google-deepmind-openai"])
def test_gap_series(replies, slug):
    d = replies[slug].data
    s = chart_series("gap", d)
    assert s["dates"] == [p["date"] for p in d["series"]]
    assert s["pct"] == [p["pct"] for p in d["series"]]
    assert s["a"] == [p["a"] for p in d["series"]] and s["b"] == [p["b"] for p in d["series"]]
    assert s["pct"][-1] == d["latest"]["pct"]
    assert [r["value"] for r in s["reference"]] == [r["value"] for r in d["reference"]]
    if slug == "gap-us-china":  # the 2025 edition's two figures and the 2026 edition's, each labelled
        assert [r["value"] for r in s["reference"]] == [9.26, 1.7, 2.7]
        assert [r["date"] for r in s["reference"]] == ["2024-01-15", "2025-02-15", "2026-03-15"]
        assert [r["label"] for r in s["reference"]] == ["AI Index 2025", "AI Index 2025", "AI Index 2026"]


def test_frontier_series(replies):
    d = replies["frontier"].data
    s = chart_series("frontier", d)
    for k in ("top1", "top2", "topn", "spread_pct", "top2_pct"):
        assert s[k] == [p[k] for p in d["series"]]
    assert sorted(r["value"] for r in s["reference"]) == sorted(r["value"] for r in d["reference"])
    assert {r["which"] for r in s["reference"]} == {"top2", "topn"}


@pytest.mark.parametrize("slug", ["top", "top-10-gpqa", "top-25"])
def test_top_series(replies, slug):
    d = replies[slug].data
    s = chart_series("top", d)
    assert [r["model"] for r in s["rows"]] == [r["model"] for r in d["rows"]]
    assert [r["score"] for r in s["rows"]] == [r["score"] for r in d["rows"]]
    assert s["arena"] == (slug != "top-10-gpqa")


@pytest.mark.parametrize("slug", ["small", "small-1300-arena"])
def test_small_series(replies, slug):
    d = replies[slug].data
    s = chart_series("small", d)
    assert s["threshold"] == d["threshold"]
    assert s["record"] == [list(r) for r in d["record"]]
    assert s["points"] == [list(p) for p in d["points"] if p[1] and p[2] is not None]
    assert all(r[3] >= d["threshold"] for r in s["record"])


@pytest.mark.parametrize("slug", ["count", "count-2024-by-country", "count-by-sector"])
def test_count_series(replies, slug):
    d = replies[slug].data
    s = chart_series("count", d)
    assert s["years"] == d["years"]
    assert s["groups"] == d["groups"]
    assert s["totals"] == [sum(v[i] for v in d["groups"].values()) for i in range(len(d["years"]))]


@pytest.mark.parametrize("slug", ["compute", "compute-china"])
def test_compute_series(replies, slug):
    d = replies[slug].data
    s = chart_series("compute", d)
    assert s["points"] == [list(p) for p in d["points"]]
    assert s["fit"] == d["fit"]
    assert s["fit"]["doubling_months"] > 0


def test_compare_series(replies):
    d = replies["compare"].data
    s = chart_series("compare", d)
    assert s["models"] == [m["name"] for m in d["models"]]
    for i, m in enumerate(d["models"]):
        for b in d["benchmarks"]:
            v = m["scores"].get(b)
            assert s["scores"][b][i] == (None if v is None else v * 100)
        assert s["arena"][i] == (m["arena"]["score"] if m["arena"] else None)
        assert s["history"][m["name"]] == [list(p) for p in d["history"][m["name"]]]


def test_model_org_country_timeline_series(replies):
    d = replies["model"].data
    assert chart_series("model", d)["history"] == [list(p) for p in d["history"]]
    d = replies["org"].data
    s = chart_series("org", d)
    assert s["history"] == [list(p) for p in d["history"]]
    assert sum(s["per_year"].values()) == sum(1 for m in d["models"] if m[1])
    d = replies["country"].data
    s = chart_series("country", d)
    assert s["per_year"] == {k: v for k, v in d["per_year"].items() if k[:4].isdigit()}
    assert s["history"] == [list(p) for p in d["history"]]
    d = replies["timeline"].data
    assert chart_series("timeline", d)["events"] == [list(e) for e in d["events"]]


def _line(fig, gid):
    for ax in fig.axes:
        for ln in ax.lines:
            if ln.get_gid() == gid:
                return ln
    raise AssertionError(f"no line {gid}")


def test_the_figure_draws_the_reply_figures(replies):
    """The artists themselves carry the reply's numbers (not pixels: data)."""
    from bot.render.charts.axes import dnum
    from bot.render.charts.draw import build_figure

    d = replies["race"].data
    fig = build_figure("race", d, "t", "s")
    for c in d["countries"]:
        # one line per source's run (a break at each change of source): together they hold every point
        runs = [ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == f"series:{c}"]
        drawn = {(float(x), float(y)) for ln in runs for x, y in zip(ln.get_xdata(), ln.get_ydata())}
        assert {(dnum(p[0]), float(p[1])) for p in d["series"][c]} <= drawn
    d = replies["gap-us-china"].data
    fig = build_figure("gap", d, "t", "s")
    ln = _line(fig, "series:pct")
    assert list(ln.get_ydata()[:len(d["series"])]) == [p["pct"] for p in d["series"]]
    refs = [ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == "reference"]
    assert sorted(float(r.get_ydata()[0]) for r in refs) == sorted(r["value"] for r in d["reference"])
    d = replies["frontier"].data
    fig = build_figure("frontier", d, "t", "s")
    ln = _line(fig, "series:spread_pct")
    assert list(ln.get_ydata()[:len(d["series"])]) == [p["spread_pct"] for p in d["series"]]
    d = replies["top"].data
    fig = build_figure("top", d, "t", "s")
    cols = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "series:scores"]
    ends = sorted(round(float(p.vertices[:, 0].max()), 6) for c in cols for p in c.get_paths())
    assert ends == sorted(round(r["score"], 6) for r in d["rows"])
    d = replies["count"].data
    fig = build_figure("count", d, "t", "s")
    for g, vals in d["groups"].items():
        (c,) = [c for ax in fig.axes for c in ax.collections if c.get_gid() == f"series:{g}"]
        heights = [round(float(p.vertices[:, 1].max() - p.vertices[:, 1].min()), 6) for p in c.get_paths()]
        assert heights == [float(v) for v in vals]


def test_unknown_kind_is_a_chart_error():
    with pytest.raises(ChartError):
        chart_series("no-such-kind", {})
    with pytest.raises(ChartError):
        render_png("no-such-kind", {}, "t", "s")


# ---------------------------------------------------------------------------
# cache, invalidation, failure, pools
# ---------------------------------------------------------------------------
def test_cache_same_bytes_then_new_bytes_after_a_data_change(seed_copy, tmp_path):
    e = Engine.open(seed_copy(tmp_path / "t.db"))
    try:
        svc = e.charts
        r1 = e.handle("race")
        png1 = svc.render(r1)
        # the same chart again (a new reply, then the same one): served from the cache, nothing drawn
        # (cache-hit speed is a benchmark figure, `make bench`, not a timed test)
        renders = svc.stats["renders"]
        again = svc.render(e.handle("race"))
        assert again == png1
        assert svc.render(r1) == png1
        assert svc.stats["hits"] >= 2
        assert svc.stats["renders"] == renders
        # a chart the coming change does not touch (no Arena data in it)
        other = e.handle("compute")
        png_other = svc.render(other)
        # a moderator edits a score: nothing is cleared; the changed chart gets a new key (it is keyed
        # by what it draws), the untouched one is still served from the cache
        day = r1.data["as_of"]
        country, score, arena_name, _org = r1.data["ranking"][0][:4]
        with e.store.change("test", "edit") as ch:
            board = e.read_model().board_for(day)
            key = next(r.key for r in e.read_model().board(day) if r.arena_name == arena_name)  # as the board names it
            assert ch.upsert("arena_ratings", {"source_id": board.source, "snapshot_date": day, "category": "full",
                                               "arena_name": key, "score": score + 40}) == "updated"
        assert svc.stats["clears"] == 0
        # the refresh answered the asked chart commands again and rendered their charts (in the background)
        assert e.wait_rewarmed(60)
        renders = svc.stats["renders"]
        r2 = e.handle("race")
        assert r2.data["series"][country][-1][1] == score + 40
        assert svc.key(r1) != svc.key(r2)
        assert svc.cached(svc.key(r2)) is not None  # rendered before anyone asked again
        png2 = svc.render(r2)
        check_png(png2)
        assert png2 != png1
        assert svc.render(e.handle("compute")) == png_other
        assert svc.stats["renders"] == renders  # nothing drawn for the askers
    finally:
        e.close()


def test_a_failed_render_gives_the_text_with_a_note(engine):
    reply = engine.handle("race")
    text = reply.text
    reply.chart = Chart("no-such-kind")
    out = engine.attach_chart(reply)
    assert out.status == "ok"
    assert out.text.startswith(text)
    assert "chart could not be drawn" in out.text
    assert out.files == []


def test_a_failed_render_in_the_pool_gives_the_text_with_a_note(engine):
    # valid kind, data it cannot draw: the error comes back from the worker
    reply = Reply(text="Figures.", title="t", data={"series": {}}, chart=Chart("race"))
    with pytest.raises(ChartError):
        engine.charts.render(reply)
    out = engine.attach_chart(reply)
    assert "chart could not be drawn" in out.text and out.files == []


@pytest.mark.serial  # measures event-loop lag: runs alone, after the parallel pass
def test_render_async_keeps_the_loop_free(engine, replies):
    svc = engine.charts
    batch = [Reply(text=r.text, title=f"{r.title} (async {i})", footer=r.footer, data=r.data, chart=r.chart)
             for i, r in enumerate(list(replies.values())[:6])]

    async def go():
        lags = []
        done = asyncio.Event()

        async def tick():
            while not done.is_set():
                t = time.perf_counter()
                await asyncio.sleep(0.005)
                lags.append(time.perf_counter() - t - 0.005)
        task = asyncio.create_task(tick())
        pngs = await asyncio.gather(*(svc.render_async(r) for r in batch))
        done.set()
        await task
        return pngs, lags

    pngs, lags = asyncio.run(go())
    for p in pngs:
        check_png(p)
    assert max(lags) < 0.25  # generous: the box is shared; measure() reports the real p99


def test_ahandle_renders_in_the_pool(engine):
    reply = asyncio.run(engine.ahandle("frontier"))
    assert reply.files and reply.files[0].filename == "chart.png"
    check_png(reply.files[0].data)


def test_broken_process_pool_falls_back_to_a_thread(engine, replies):
    class Broken:
        def submit(self, *a, **k):
            raise BrokenProcessPool("worker died")

        def shutdown(self, **k):
            pass

    svc = ChartService(processes=True)
    svc._procs = Broken()
    png = svc.render(replies["count"])
    check_png(png)
    assert svc.stats["pool_broken"] == 1
    assert svc._procs is None and svc._broken_at is not None
    png2 = svc.render(Reply(title="other", footer=replies["top"].footer, data=replies["top"].data,
                            chart=replies["top"].chart))
    check_png(png2)  # still in the thread while the pool is marked broken
    svc.close()


def test_thread_only_service(engine, replies):
    svc = ChartService(processes=False)
    check_png(svc.render(replies["model"]))
    svc.close()


def test_importing_the_engine_does_not_import_matplotlib(seed_copy, tmp_path):
    db = seed_copy(tmp_path / "m.db")
    code = ("import sys; from bot.engine import Engine; import bot.render.charts.service; import bot.render.charts.registry; "
            f"e = Engine.open({str(db)!r}); r = e.handle('race'); "
            "e.charts.key(r); assert 'matplotlib' not in sys.modules, 'matplotlib imported'; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_fixed_colours():
    from bot.render.palette import COLORS, color, colors

    assert color("United States") == COLORS["United States"] != color("China")
    for org in ("OpenAI", "Google DeepMind", "Anthropic", "Meta AI", "DeepSeek", "Alibaba", "xAI", "Mistral AI"):
        assert org in COLORS
    assert color("Some New Lab") == color("Some New Lab")
    keys = ["United States", "China", "Lab A", "Lab B", "Lab C"]
    cs = colors(keys)
    assert len(set(cs)) == len(cs)


def test_gallery_writes_every_png_and_an_index(engine, tmp_path):
    paths = gallery(engine, tmp_path / "g")
    pngs = [p for p in paths if p.suffix == ".png"]
    assert len(pngs) == len(GALLERY)
    for p in pngs:
        check_png(p.read_bytes())
    index = (tmp_path / "g" / "index.md").read_text()
    for p in pngs:
        assert f"({p.name})" in index


def test_a_killed_worker_falls_back_to_a_thread(engine, replies):
    import os
    import signal

    svc = ChartService(processes=True, workers=1)
    try:
        check_png(svc.render(replies["count-by-sector"]))
        pool = svc._procs
        (pid,) = list(pool._processes)
        os.kill(pid, signal.SIGKILL)  # our own worker
        # wait (30 s ceiling) until the executor has noticed, instead of sleeping and hoping it has
        deadline = time.monotonic() + 30
        while not pool._broken and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pool._broken, "the process pool did not notice its killed worker within 30 s"
        r = replies["org"]
        png = svc.render(Reply(title="after the crash", footer=r.footer, data=r.data, chart=r.chart))
        check_png(png)
        assert svc.stats["pool_broken"] >= 1
    finally:
        svc.close()
