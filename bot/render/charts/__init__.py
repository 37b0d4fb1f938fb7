"""Charts: PNG images drawn from a reply's data, rendered off the event loop.

* :mod:`.registry` — the one list of chart kinds (one module per kind under
  :mod:`.kinds`, each declaring ``KIND = ChartKind(...)``: name, series,
  drawing, gallery examples, warm-up sample).
* :mod:`.data` — ``chart_series(kind, data)``: exactly what a chart plots.
* :mod:`.service` — ``ChartService``: worker processes, cache, fallback.
* :mod:`.draw`, :mod:`.style`, :mod:`.labels`, :mod:`.axes` — the drawing
  (matplotlib; imported only where charts are drawn).
* :mod:`.gallery` — ``gallery`` and ``measure``.

Importing this package does not import matplotlib.
"""
