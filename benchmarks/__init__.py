"""``make bench``: the benchmark suite, outside the package.

It times the bot the way people meet it and writes BENCHMARKS.md. Every
figure stands beside a baseline measured in the same run (the seed beside a
ten-times history, our charts beside a minimal pyplot chart, other users'
commands during a refresh beside the same commands when nothing changes),
because on a shared machine only those ratios hold. ``make bench-quick``
(``BENCH_QUICK=1``) runs a smaller version while developing.
"""
