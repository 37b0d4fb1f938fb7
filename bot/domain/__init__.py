"""The domain: rules over the data that are neither storage nor commands.

Which board answers a date (:mod:`~bot.domain.board_chain`), which listed
ratings count (:mod:`~bot.domain.counted_boards`, the retired rule), when two
ratings are tied (:mod:`~bot.domain.ties`), how a gap is measured
(:mod:`~bot.domain.measures`), what a region is (:mod:`~bot.domain.regions`),
the Arena categories people type (:mod:`~bot.domain.categories`), and the
vocabulary that normalises what sources and people spell many ways
(:mod:`~bot.domain.normalize`, :mod:`~bot.domain.validate`).

The store and the commands import these; they import no other bot module
(``tests/unit/test_layers.py`` holds the rule).
"""
