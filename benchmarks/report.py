"""BENCHMARKS.md from the figures of one run: every figure beside the
baseline measured in the same run, and the targets."""
from __future__ import annotations

from typing import Any

TARGETS = {
    "text_p99_seed": 10.0, "text_p99_10x": 10.0, "growth": 10.0, "refresh_lag_p99": 20.0, "tree_mb": 300.0,
    "tree_mb_10x": 500.0, "first_after_change_10x": 300.0,
}


def _ok(value: float, limit: float, below: bool = True) -> str:
    good = value < limit if below else value > limit
    return ("✅" if good else "❌") + f" {'<' if below else '>'} {limit:g}"


def _ms(v: Any, digits: int = 1) -> str:
    if v is None or v != v:
        return "–"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}" if v >= 1 else f"{v:.{max(digits, 2)}f}"


def markdown(r: dict[str, Any]) -> str:
    m = r["machine_start"]
    end = r.get("machine_end", {})
    out = [
        "# Benchmarks", "",
        f"`make bench`{' (quick mode)' if r.get('quick') else ''} on {r['when']}: {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB, Python {m['python']}, {m['system']}. Load average "
        f"{', '.join(f'{x:.2f}' for x in m.get('load', []))} at the start, "
        f"{', '.join(f'{x:.2f}' for x in end.get('load', []))} at the end; the run took {r['seconds']:.0f} s.", "",
        "**Absolute times vary with the machine and its load** (this one is shared). Each figure therefore "
        "stands beside a baseline measured in the same run: the seed beside a synthetic history ten times "
        "longer, the project's charts beside a minimal pyplot chart of the same data, other users' commands "
        "during a moderator's change beside the same commands when nothing changes. Compare those ratios, "
        "not the milliseconds of two runs.", "",
    ]
    ts, tb = r["text_seed"], r["text_10x"]
    t30 = r.get("text_30x")
    syn = r["synthetic"]
    ref_s, ref_b = r["refresh_seed"], r["refresh_10x"]
    c, f, e = r["charts"], r["first_chart"], r["e2e"]
    levels = sorted((k for k in e if k.startswith("e2e_")), key=lambda k: int(k.split("_")[1]))
    out += ["## Summary", "", "| measure | value | baseline (same run) | target |", "|---|---|---|---|",
            f"| Text commands, warm, p50 / p99 / max (seed; {ts['lines']} answered lines, {ts['left_out']} usage or "
            f"refusal lines left out) | {_ms(ts['p50_ms'], 2)} / {_ms(ts['p99_ms'], 2)} / {_ms(ts['max_ms'], 2)} ms "
            f"| – | {_ok(ts['p99_ms'], TARGETS['text_p99_seed'])} ms |",
            f"| Text commands, warm, at 10x history, p50 / p99 / max | {_ms(tb['p50_ms'], 2)} / {_ms(tb['p99_ms'], 2)} / "
            f"{_ms(tb['max_ms'], 2)} ms | seed {_ms(ts['p50_ms'], 2)} / {_ms(ts['p99_ms'], 2)} ms "
            f"| {_ok(tb['p99_ms'], TARGETS['text_p99_10x'])} ms |",
            ]
    if t30:
        out.append(f"| Text commands, warm, at 30x history, p50 / p99 / max | {_ms(t30['p50_ms'], 2)} / "
                   f"{_ms(t30['p99_ms'], 2)} / {_ms(t30['max_ms'], 2)} ms | 10x {_ms(tb['p50_ms'], 2)} / "
                   f"{_ms(tb['p99_ms'], 2)} ms | – |")
    out += [
            f"| First call on a new read model, worst, seed / 10x{' / 30x' if t30 else ''} | `{ts['first_slowest']}` "
            f"{_ms(ts['first_max_ms'])} ms / `{tb['first_slowest']}` {_ms(tb['first_max_ms'])} ms"
            + (f" / `{t30['first_slowest']}` {_ms(t30['first_max_ms'])} ms" if t30 else "")
            + f" | median first call {_ms(ts['first_p50_ms'], 2)} / {_ms(tb['first_p50_ms'], 2)}"
            + (f" / {_ms(t30['first_p50_ms'], 2)}" if t30 else "") + " ms | – |",
            f"| Slowest command p99, seed / 10x | `{ts['slowest']}` {_ms(ts['max_p99_ms'])} ms / `{tb['slowest']}` "
            f"{_ms(tb['max_p99_ms'])} ms | – | – |",
            ]
    for label, gg in (("seed to 10x", r.get("growth_10x")), ("10x to 30x", r.get("growth_30x"))):
        if gg:
            worst = max(gg["p50_ms"]["worst_factor"], gg["first_ms"]["worst_factor"])
            out.append(f"| Largest growth per ten times the data, {label}: warm p50 / first call | "
                       f"`{gg['p50_ms']['worst']}` {gg['p50_ms']['worst_factor']:.1f}x / `{gg['first_ms']['worst']}` "
                       f"{gg['first_ms']['worst_factor']:.1f}x | history {label} | {_ok(worst, TARGETS['growth'])}x |")
    fa_s, fa_b = ref_s.get("first_after_change"), ref_b.get("first_after_change")
    if fa_s and fa_b:
        out.append(f"| Worst first call after a moderator's change (every line asked once before), seed / 10x | "
                   f"`{fa_s['worst']}` {_ms(fa_s['max_ms'])} ms / `{fa_b['worst']}` {_ms(fa_b['max_ms'])} ms | "
                   f"median {_ms(fa_s['p50_ms'], 2)} / {_ms(fa_b['p50_ms'], 2)} ms | "
                   f"{_ok(fa_b['max_ms'], TARGETS['first_after_change_10x'])} ms at 10x |")
    out += [
            f"| Refresh after a moderator's change while 8 users ask back to back, seed / 10x | "
            f"{_ms(ref_s['refresh_ms'])} / {_ms(ref_b['refresh_ms'])} ms "
            f"| nobody else asking: {_ms(ref_s['idle_refresh_ms'])} / {_ms(ref_b['idle_refresh_ms'])} ms | – |",
            f"| Refresh after a change no rating reads (a model's size), nobody else asking, seed / 10x | "
            f"{_ms(ref_s['idle_other_refresh_ms'])} / {_ms(ref_b['idle_other_refresh_ms'])} ms "
            f"| a rating's change: {_ms(ref_s['idle_refresh_ms'])} / {_ms(ref_b['idle_refresh_ms'])} ms | – |",
            f"| Replaced read models still in memory after the changes, seed / 10x | "
            f"{ref_s['freed']['alive']} of {ref_s['freed']['replaced']} / {ref_b['freed']['alive']} of "
            f"{ref_b['freed']['replaced']} | freed within {ref_s['freed']['freed_within_s']:.2f} / "
            f"{ref_b['freed']['freed_within_s']:.2f} s of the last change | 0 |",
            f"| Other users' commands (charts on) during the refresh, p99 / worst, seed / 10x | "
            f"{_ms(ref_s['others_p99_ms'])} / {_ms(ref_s.get('others_max_ms'))} ms / {_ms(ref_b['others_p99_ms'])} / "
            f"{_ms(ref_b.get('others_max_ms'))} ms | nothing changing: {_ms(ref_s['baseline']['others_p99_ms'])} / "
            f"{_ms(ref_s['baseline']['others_max_ms'])} ms / {_ms(ref_b['baseline']['others_p99_ms'])} / "
            f"{_ms(ref_b['baseline']['others_max_ms'])} ms | – |",
            f"| Event-loop lag during the refresh (charts on), p99 / max, seed / 10x | {_ms(ref_s['loop_lag_p99_ms'])} / "
            f"{_ms(ref_s['loop_lag_max_ms'])} ms / {_ms(ref_b['loop_lag_p99_ms'])} / {_ms(ref_b['loop_lag_max_ms'])} ms "
            f"| nothing changing: {_ms(ref_s['baseline']['loop_lag_p99_ms'])} / "
            f"{_ms(ref_b['baseline']['loop_lag_p99_ms'])} ms p99 | "
            f"{_ok(ref_b['loop_lag_p99_ms'], TARGETS['refresh_lag_p99'])} ms at 10x |",
            f"| Chart, cold, p50 (ours, worker process) | {_ms(c['ours_cold_p50_ms'])} ms | pyplot in a thread "
            f"{_ms(c['plain_cold_p50_ms'])} ms | – |",
            f"| Chart, cached, p50 | {_ms(c['ours_cached_p50_ms'], 3)} ms | pyplot in a thread has no cache: "
            f"{_ms(c['plain_cold_p50_ms'])} ms | – |",
            f"| Event-loop lag while {c['concurrent']} different charts render, p99 | {_ms(c['ours_lag_p99_ms'])} ms "
            f"| pyplot in a thread {_ms(c['plain_lag_p99_ms'])} ms | – |",
            f"| First chart after a process starts | {f['ours_first_s']:.2f} s | pyplot in-process {f['plain_first_s']:.2f} s | – |",
            f"| Bot process start to ready (default guild-ready timeout) | {e['process_ready_s']:.2f} s | "
            f"the bot's own clock: {e['bot_ready_s']:.2f} s | – |",
            f"| Bot process start to its first chart on Discord | {e['process_first_chart_s']:.2f} s | "
            f"{e['first_chart_after_ready_s']:.2f} s after ready | – |",
            f"| Whole process tree memory, peak RSS / PSS (end to end, seed) | {e['peak_rss_mb']:.0f} / {e['peak_pss_mb']:.0f} MB | "
            f"idle after start: {e['idle_rss_mb']:.0f} / {e['idle_pss_mb']:.0f} MB | {_ok(e['peak_rss_mb'], TARGETS['tree_mb'])} MB |",
            ]
    for name, target in (("seed", TARGETS["tree_mb"]), ("10x", TARGETS["tree_mb_10x"])):
        mm = r.get(f"memory_{name}")
        if mm:
            out.append(f"| Whole tree (engine and chart workers), {name}: peak RSS before / during / after a "
                       f"moderator's change | {mm['peak_before_change_mb']:.0f} / {mm['peak_during_change_mb']:.0f} / "
                       f"{mm['after_change_mb']:.0f} MB | – | {_ok(mm['peak_mb'], target)} MB |")
    for k in levels:
        x = e[k]
        out.append(f"| End to end, {x['users']} users × {e['per_user']} commands: cmds/s, p50 / p99 | "
                   f"{x['cmds_per_s']:.1f} cmds/s, {_ms(x['p50_ms'])} / {_ms(x['p99_ms'])} ms, {x['lost']} lost | "
                   f"ceilings: bot CPU {x.get('ceiling_cpu_cmds_per_s', float('nan')):.0f} cmds/s; charts "
                   f"{e['ceiling_cmds_per_s_charts']:.1f} cmds/s; cooldown {x['ceiling_cooldown_cmds_per_s']:.1f} "
                   f"cmds/s sustained | – |")
    lk = r["lookup"]
    out.append(f"| Lookup of misspelled names, p50 / p99 (seed) | {_ms(lk['lookup_seed_p50_ms'], 3)} / "
               f"{_ms(lk['lookup_seed_p99_ms'], 3)} ms, right {lk['lookup_seed_top1']:.0%}, wrong "
               f"{lk['lookup_seed_wrong']:.1%} | difflib {_ms(lk['difflib_seed_p50_ms'], 3)} / "
               f"{_ms(lk['difflib_seed_p99_ms'], 3)} ms, right {lk['difflib_seed_top1']:.0%} | – |")
    out.append(f"| Lookup in {lk['lookup_big_names']:,} names, p50 / p99 | {_ms(lk['lookup_big_p50_ms'], 3)} / "
               f"{_ms(lk['lookup_big_p99_ms'], 3)} ms, found or suggested {lk['lookup_big_found_or_suggested']:.0%} "
               f"| difflib {_ms(lk['difflib_big_p50_ms'])} ms | – |")
    rd = r.get("reader")
    if rd:
        out.append(f"| Reading a plain question (`ask`'s reader, {rd['reader_questions']} test-set questions), p50 / p99 | "
                   f"{_ms(rd['reader_p50_ms'], 3)} / {_ms(rd['reader_p99_ms'], 3)} ms | CPU of the reading thread "
                   f"{_ms(rd['reader_cpu_p50_ms'], 3)} / {_ms(rd['reader_cpu_p99_ms'], 3)} ms | – |")
    rl = e.get("rate_limited")
    if rl:
        for label, k in (("in their own channels", "own_channels"), ("at once in one busy channel", "busy_channel")):
            x = rl[k]
            out.append(f"| Under Discord's rate limits, {x['users']} users {label}: cmds/s, p50 / p99 | "
                       f"{x['cmds_per_s']:.1f} cmds/s, {_ms(x['p50_ms'])} / {_ms(x['p99_ms'])} ms, {x['lost']} lost | "
                       f"429s met in all: {rl['429s']} (the bot paces itself by the headers) | – |")
    if "gateway_events_per_s" in e:
        out.append(f"| Gateway: chat messages read and ignored per second (one process, one shard) | "
                   f"{e['gateway_events_per_s']:.0f} /s | – | – |")
    out.append(f"| Read model built (first command after start), seed / 10x | {r['read_model_first_s'] * 1000:.0f} / "
               f"{r['read_model_first_10x_s'] * 1000:.0f} ms | – | – |")
    out.append(f"| Database built from the seed; its size | {r['seed_build_s']:.2f} s; {r['db_size_mb']:.1f} MB | – | – |")

    g10, g30 = r.get("growth_10x", {}), r.get("growth_30x", {})
    scales = "the seed, a ten-times and a thirty-times history" if t30 else "the seed and a ten-times history"
    out += ["", f"## Text commands: {scales}", "",
            f"Every community command (its example and its bare form), every gallery line and a few more, through "
            f"`Engine.handle` (no chart rendering), interleaved: each round asks every line of every history in "
            f"turn. The synthetic history replicates each of the seed's {syn['seed_snapshots']} Arena snapshots, "
            f"shifted back in time with jittered ratings ({syn['snapshots']} snapshots, {syn['ratings']:,} ratings at "
            f"10x). *first*: the line's first call on a read model just built (what the first asker waits); "
            f"*p50 / p99 / max*: the warm calls after it (a chart command's answer is memoised per data version and "
            f"arguments). *growth*: per ten times the data the line reads (the copies are older than the real "
            f"snapshots, so a dated question reads more than the history's factor; that excess is divided out), "
            f"warm p50 and first call, seed to 10x and 10x to 30x; target under 10x. Lines answered with usage or a "
            f"refusal are listed but left out of every aggregate.", "",
            "| command | seed p50 / p99 / max | seed first | 10x p50 / p99 / max | 10x first | "
            + ("30x p50 / p99 / max | 30x first | " if t30 else "")
            + "growth p50 10x" + (" / 30x" if t30 else "") + " | growth first 10x" + (" / 30x" if t30 else "")
            + " | reply |",
            "|---|---|---|---|---|" + ("---|---|" if t30 else "") + "---|---|---|"]

    def trio(x: dict) -> str:
        return f"{_ms(x.get('p50_ms'), 2)} / {_ms(x.get('p99_ms'), 2)} / {_ms(x.get('max_ms'), 2)}"

    def gro(key: str, line: str) -> str:
        vals = [gg.get(key, {}).get("per", {}).get(line) for gg in ((g10, g30) if t30 else (g10,))]
        return " / ".join("–" if v is None else f"{v:.1f}x" for v in vals)

    for line, x in ts["per"].items():
        b10 = tb["per"].get(line, {})
        row = f"| `{line}` | {trio(x)} | {_ms(x.get('first_ms'), 2)} | {trio(b10)} | {_ms(b10.get('first_ms'), 2)} | "
        if t30:
            b30 = t30["per"].get(line, {})
            row += f"{trio(b30)} | {_ms(b30.get('first_ms'), 2)} | "
        out.append(row + f"{gro('p50_ms', line)} | {gro('first_ms', line)} | {x['status']} |")

    out += ["", "## A moderator's change while others ask", "",
            "Eight users ask commands back to back with their charts on (`ahandle`: the answer, then its chart from "
            "the cache or the chart workers; each line answered and drawn once before, the steady state); a third of "
            "the way in, a moderator records an Arena score (`elo grok 4 ...`). *Refresh*: from the change until a reader "
            "gets the new read model. *Others*: latency of the other users' commands that overlapped the refresh; "
            "the baseline is the same users over the same time with nothing changing. Median of the runs for the "
            "refresh, worst run for the p99s.", "",
            "| history | refresh | nobody else asking | moderator's command | others p50 / p99 | baseline p50 / p99 "
            "| loop lag p99 / max | baseline lag p99 / max |",
            "|---|---|---|---|---|---|---|---|"]
    for name, x in (("seed", ref_s), ("10x", ref_b)):
        out.append(f"| {name} | {_ms(x['refresh_ms'])} ms | {_ms(x['idle_refresh_ms'])} ms | {_ms(x['change_ms'])} ms | "
                   f"{_ms(x['others_p50_ms'])} / "
                   f"{_ms(x['others_p99_ms'])} ms | {_ms(x['baseline']['others_p50_ms'])} / "
                   f"{_ms(x['baseline']['others_p99_ms'])} ms | {_ms(x['loop_lag_p99_ms'])} / "
                   f"{_ms(x['loop_lag_max_ms'])} ms | "
                   f"{_ms(x['baseline']['loop_lag_p99_ms'])} / {_ms(x['baseline']['loop_lag_max_ms'])} ms |")
    out += ["", "The refresh competes for Python's GIL with the users' commands (four query threads) and the "
            "event loop: with everyone asking back to back it gets a fraction of one core, so it takes several "
            "times its idle time; nobody waits for it. The engine sets a 1 ms switch interval "
            "(`RACEBOT_SWITCH_INTERVAL_MS`; Python's default is 5 ms), which bounds how long the loop waits "
            "behind a worker thread. A rating's change (this one) rebuilds the whole read model off the readers' path; "
            "a change to anything no rating reads (sizes, aliases, benchmark scores, prices) keeps the rating maps "
            "(`ratings_version`, kept by triggers) and refreshes in milliseconds (the summary's next line)."]

    out += ["", "## Charts", "",
            f"The {c['charts']} gallery charts. Ours: the bot's chart service ({c['workers']} worker process(es), "
            "warm, an LRU cache). Baseline: a minimal pyplot chart of the same series (`plt.subplots`, `plot`/`bar`/"
            "`scatter`, `savefig`) in a thread, the way most bots draw, without a cache. First after start: a new "
            "process opens the database, answers `race` and draws its chart.", "",
            "| | ours | pyplot in a thread |", "|---|---|---|",
            f"| cold p50 / p95 | {_ms(c['ours_cold_p50_ms'])} / {_ms(c['ours_cold_p95_ms'])} ms | "
            f"{_ms(c['plain_cold_p50_ms'])} / {_ms(c['plain_cold_p95_ms'])} ms |",
            f"| cached p50 / p99 | {_ms(c['ours_cached_p50_ms'], 3)} / {_ms(c['ours_cached_p99_ms'], 3)} ms | no cache |",
            f"| {c['concurrent']} different charts at once: wall | {_ms(c['ours_wall_ms'])} ms | {_ms(c['plain_wall_ms'])} ms |",
            f"| event-loop lag meanwhile p50 / p99 | {_ms(c['ours_lag_p50_ms'])} / {_ms(c['ours_lag_p99_ms'])} ms | "
            f"{_ms(c['plain_lag_p50_ms'])} / {_ms(c['plain_lag_p99_ms'])} ms |",
            f"| first chart after a process starts | {f['ours_first_s']:.2f} s | {f['plain_first_s']:.2f} s |",
            f"| PNG size, mean | {c['ours_png_kb']:.0f} KB | {c['plain_png_kb']:.0f} KB |"]

    mix = ", ".join(f"{int(v * 100)}% {k.replace('_', ' ')}" for k, v in e["mix"].items())
    out += ["", "## End to end through the Discord simulator", "",
            f"`python -m bot run` in its own process with its default settings (cooldown 5 commands per 15 s per "
            f"user, 4 commands at once, {e['chart_workers']} chart worker(s)), against the loopback simulator over "
            f"real sockets. Each user sends {e['per_user']} commands back to back (what the cooldown allows) from "
            f"this mix: {mix}, weighted like real traffic. *Text*: help, sources, facts, an unknown model (no chart). "
            "*Popular chart*: race, a comparison and top (twice as often as the rest), `ask` questions answered "
            "with a chart, gap us china, frontier (rendered once, then cached). *New chart*: a request no one "
            "made before (a past snapshot's race, gap or frontier, a model, a dated leaderboard), so its chart "
            "is rendered.", "",
            f"Ceilings beside it: the chart workers can render {e['ceiling_new_charts_per_s']:.1f} new charts/s "
            f"({e['chart_workers']} worker(s) / {_ms(r['charts']['ours_cold_p50_ms'])} ms), so with "
            f"{int(e['mix']['new_chart'] * 100)}% new charts about {e['ceiling_cmds_per_s_charts']:.1f} commands/s; the "
            "cooldown lets each user send 5 commands per 15 s.", "",
            "The bot's CPU per command (the whole process tree, user + system, over the load) gives a third "
            "ceiling: the commands per second its cores could serve if the bot had them to itself; on a shared "
            "machine (and with the simulator and the users in the benchmark's own process) it gets less.", "",
            "| users | commands | cmds/s | p50 / p99 | text p50 / p99 | popular chart p50 / p99 | new chart p50 / p99 "
            "| lost | cooldown refusals | bot CPU per command | CPU ceiling | cooldown ceiling |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for k in levels:
        x = e[k]
        out.append(f"| {x['users']} | {x['commands']} | {x['cmds_per_s']:.1f} | {_ms(x['p50_ms'])} / {_ms(x['p99_ms'])} ms | "
                   f"{_ms(x['text_p50_ms'])} / {_ms(x['text_p99_ms'])} ms | {_ms(x['popular_chart_p50_ms'])} / "
                   f"{_ms(x['popular_chart_p99_ms'])} ms | {_ms(x['new_chart_p50_ms'])} / {_ms(x['new_chart_p99_ms'])} ms | "
                   f"{x['lost']} | {x['cooldown']} | {_ms(x.get('bot_cpu_ms_per_cmd'))} ms | "
                   f"{x.get('ceiling_cpu_cmds_per_s', float('nan')):.0f} cmds/s | {x['ceiling_cooldown_cmds_per_s']:.1f} cmds/s |")
    out += ["", f"Slash command, interaction to answer, p50 / p99: {_ms(e['slash_p50_ms'])} / {_ms(e['slash_p99_ms'])} ms. "
            f"Autocomplete, p50 / p99: {_ms(e['autocomplete_p50_ms'])} / {_ms(e['autocomplete_p99_ms'])} ms.", "",
            "### Memory of the bot's whole process tree", "",
            f"RSS and PSS summed over the bot and its descendants (`/proc/<pid>/smaps_rollup`), sampled every 0.25 s "
            f"from start to the end of the load: peak {e['peak_rss_mb']:.0f} MB RSS, {e['peak_pss_mb']:.0f} MB PSS "
            f"(PSS shares pages the processes have in common); idle after the first chart {e['idle_rss_mb']:.0f} / "
            f"{e['idle_pss_mb']:.0f} MB. At the peak:", "",
            "| process | RSS | PSS |", "|---|---|---|"]
    for p in e.get("processes_at_peak", []):
        out.append(f"| `{p['cmd'][:60]}` | {p['rss_mb']:.0f} MB | {p['pss_mb']:.0f} MB |")
    out.append("")
    return "\n".join(out)
