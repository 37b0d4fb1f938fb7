"""One module per chart kind; each declares ``KIND = ChartKind(...)``.

See :mod:`bot.render.charts.registry`."""
