"""Names vulture (``make lint``) cannot see used: read by a framework, by name
or by string key, or only by the tests. Everything else nothing calls is
deleted, not listed here. Add a name only with the reason it is alive."""
# ruff: noqa
_ = object()

# discord.py calls these by name: event handlers, hooks and view/cog life cycle
_.setup_hook, _.process_commands, _.before_identify_hook, _.on_error, _.on_timeout  # Client / View hooks
initial  # before_identify_hook's keyword, part of discord.py's signature
_.interaction_check, _.cog_load, _.cog_unload  # View / Cog hooks
_.from_custom_id  # DynamicItem: discord.py rebuilds a persistent button from its custom id
_.disabled  # discord.ui.Button state, read by discord.py when it renders the view
_.data_age_task, _.arena_check_task  # running tasks the bot holds a reference to (an unreferenced task may be collected)
_.collect  # prometheus_client calls a custom collector's collect()
_.__signature__, _.__wrapped__  # a slash callback's signature: inspect.signature (and so discord.py) reads them

# the e2e tests drive and observe the server cog through these (no sleeps: they wait on the counters)
_.evaluations, _.digest_passes, _.data_changed, _.wake_digests

# read by the tests to check real behaviour (a whole database dump, a PNG's size, the reaper's count, ...)
_.dump, _.best_at, _.data_type, _.series_type
_.png_size, _.retired_count  # bot.render.charts.service, bot.store.collector
_.measure  # bot.render.charts.gallery: the chart timing the tests and `make bench` report (issue #20: it moves to benchmarks/)
_.manifest  # bot.render.charts.gallery: what the gallery would hold now; the stale-gallery test compares it with docs/gallery
_._memo  # BoardReader.memo reads it through self.__dict__
_.rate_limits  # the Discord simulator's switch, set by the benchmarks (tests/discord_sim)

# columns of a row: dataclasses built with cls(**row) from SELECT *
_.updated_at, _.created_by, _.last_fired_key

# the slash test's view of which parameter kinds autocomplete (bot.adapters.discord.slash)
_.AUTOCOMPLETE_KINDS

# chart data (TypedDicts): the kinds read these by string key, s["top1"]
parameters, training_compute  # compare
slope_log10_per_year, doubling_months, fit_since_2020, reference_months  # compute
reference  # count, frontier, gap, small
top_orgs  # country
all_listed  # depth
top1, topn, spread_pct, top2_pct, top1_model, topn_model  # frontier
a_arena, b_arena, a_model, b_model, x_key, y_key  # gap
events  # timeline
before_rank, before_score, Left  # changes (Left documents the shape of Data.left)
