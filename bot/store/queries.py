"""Named SQL reads over the live database, for what the in-memory
:class:`bot.store.readmodel.ReadModel` does not hold. Command handlers call
these instead of writing SQL. Functions that take ``db`` run on a change's
own connection (inside its transaction)."""
from __future__ import annotations

from typing import Any

from bot.store.db import Store
from bot.domain.regions import EUROPE

Row = dict[str, Any]


# -- sources and counts ------------------------------------------------------------
def sources(store: Store) -> list[Row]:
    return store.query("SELECT * FROM sources ORDER BY id")


def source_dates(store: Store) -> dict[str, str | None]:
    """Each source's title -> its as-of date."""
    return {r["title"]: r["as_of"] for r in store.query("SELECT title, as_of FROM sources ORDER BY id")}


def ratings_version(store: Store) -> int | None:
    """The version of what an Arena rating reads, bumped by the schema's triggers
    on every write to it (None on a database without them)."""
    v = store.scalar("SELECT value FROM meta WHERE key = 'ratings_version'")
    return None if v is None else int(v)


def ratings_state(store: Store) -> tuple[int | None, int]:
    """The ratings' version (None on a database without it) and the newest audit entry's id,
    read in one statement (one snapshot): the audit entries after that id are the changes
    the next version holds (see :mod:`bot.store.patch`)."""
    v, seen = store.db.execute("SELECT (SELECT value FROM meta WHERE key = 'ratings_version'), "
                               "(SELECT COALESCE(MAX(id), 0) FROM audit)").fetchone()
    return (None if v is None else int(v)), seen


def row_counts(store: Store, ratings: int | None = None) -> dict[str, int]:
    """How much data there is: visible models, notable ones, ratings, scores, figures. `ratings`:
    the Arena ratings' count when the caller knows it (a read model kept or patched: counting
    a long history's million rows takes a fifth of a second)."""
    tables = store.tables
    return {
        "models": tables["models"].count_where("hidden = 0"),
        "notable": tables["models"].count_where("origin IN ('epoch','moderator') AND hidden = 0"),
        "ratings": tables["arena_ratings"].count if ratings is None else ratings,
        "scores": tables["benchmark_scores"].count,
        "figures": tables["figures"].count,
    }


# -- AI Index figures ------------------------------------------------------------
def all_figures(store: Store, source_id: str | None = None) -> list[Row]:
    """The AI Index headline figures (of one edition, `source_id`, when given)."""
    if source_id is None:
        return store.query("SELECT * FROM figures ORDER BY topic, id")
    return store.query("SELECT * FROM figures WHERE source_id = ? ORDER BY topic, id", [source_id])


def figure_editions(store: Store) -> list[Row]:
    """The editions of the AI Index figures (one source each), oldest first: source id, as-of date, count."""
    return store.query("""SELECT f.source_id, s.title, s.as_of, count(*) AS n FROM figures f
                          JOIN sources s ON s.id = f.source_id GROUP BY f.source_id ORDER BY s.as_of, f.source_id""")


def figure(store: Store, figure_id: str) -> Row | None:
    return store.one("SELECT value, period FROM figures WHERE id = ?", [figure_id])


def arena_gap_figures(store: Store, topic: str) -> list[Row]:
    """The AI Index's Chatbot Arena gap figures of one topic, by period, each with its edition (source)."""
    return store.query("SELECT id, period, value, unit, citation, source_id FROM figures WHERE topic = ? "
                       "AND (subject LIKE '%Arena%' OR metric LIKE '%Arena%') ORDER BY period", [topic])


def frontier_figures(store: Store) -> list[Row]:
    return store.query("SELECT id, period, value, metric FROM figures WHERE topic = 'frontier' ORDER BY id")


def notable_model_counts(store: Store, year: str) -> list[Row]:
    """The AI Index's count of notable models per country in `year`."""
    return store.query("SELECT subject, value, citation, source_id FROM figures WHERE topic = 'models' AND period = ? "
                       "AND metric = 'notable AI models produced'", [year])


def small_model_figures(store: Store) -> list[Row]:
    return store.query("SELECT id, subject, period, value, unit FROM figures WHERE topic = 'small-models' ORDER BY id")


# -- benchmark scores ------------------------------------------------------------
def top_benchmark_scores(store: Store, benchmark: str, n: int, *, until: str | None = None,
                         country: str | None = None, org_id: int | None = None,
                         access: str | None = None, size: tuple[str, float] | None = None) -> list[Row]:
    """The `n` visible models with the best score on `benchmark` (their best
    score each), filtered by measurement date, country (or "Europe"),
    organisation, access ("open" or "closed") and size (``("<=", 1e10)``:
    models of known size within the bound)."""
    conds: list[str] = ["s.benchmark = ?", "m.hidden = 0"]
    params: list[Any] = [benchmark]
    if until:
        conds.append("(s.date IS NULL OR s.date <= ?)")
        params.append(until)
    if size:
        conds.append(f"m.parameters {'<=' if size[0] == '<=' else '>='} ?")
        params.append(size[1])
    if country == "Europe":
        conds.append(f"m.country IN ({', '.join('?' * len(EUROPE))})")
        params.extend(sorted(EUROPE))
    elif country:
        conds.append("m.country = ?")
        params.append(country)
    if org_id is not None:
        conds.append("m.org_id = ?")
        params.append(org_id)
    if access == "open":
        conds.append("m.access = 'open weights'")
    elif access == "closed":
        conds.append("(m.access IS NULL OR m.access != 'open weights')")
    return store.query(
        f"""SELECT m.name, m.country, m.organization, m.access, MAX(s.value) AS value, MAX(s.date) AS date
            FROM benchmark_scores s JOIN models m ON m.id = s.model_id WHERE {' AND '.join(conds)}
            GROUP BY m.id ORDER BY value DESC LIMIT ?""", [*params, n])


# -- models, aliases, organisations ----------------------------------------------------
def organization(store: Store, org_id: int) -> Row | None:
    return store.one("SELECT * FROM organizations WHERE id = ?", [org_id])


def model_name(store: Store, model_id: int) -> str | None:
    return store.scalar("SELECT name FROM models WHERE id = ?", [model_id])


def model_id_named(store: Store, name: str, *, other_than: int | None = None) -> int | None:
    """The id of the model called exactly `name` (other than `other_than`)."""
    if other_than is None:
        return store.scalar("SELECT id FROM models WHERE name = ?", [name])
    return store.scalar("SELECT id FROM models WHERE name = ? AND id != ?", [name, other_than])


def hidden_model(store: Store, name: str) -> Row | None:
    """A removed (hidden) model by name, any case."""
    return store.one("SELECT id, name FROM models WHERE hidden = 1 AND lower(name) = lower(?)", [name])


def hidden_model_names(store: Store, limit: int = 10) -> list[str]:
    return [r["name"] for r in store.query("SELECT name FROM models WHERE hidden = 1 ORDER BY name LIMIT ?",
                                           [limit])]


def alias_owner(store: Store, alias: str) -> int | None:
    """The model an alias names exactly, if any."""
    row = store.one("SELECT model_id FROM aliases WHERE alias = ?", [alias])
    return row["model_id"] if row else None


def alias(store: Store, spelling: str) -> Row | None:
    """An alias row: exactly as typed, else ignoring case."""
    return (store.one("SELECT * FROM aliases WHERE alias = ?", [spelling])
            or store.one("SELECT * FROM aliases WHERE lower(alias) = lower(?)", [spelling]))


def arena_rating_count(store: Store, arena_name: str) -> int:
    return store.scalar("SELECT count(*) FROM arena_ratings WHERE arena_name = ?", [arena_name])


# -- inside a change (its own connection) ------------------------------------------------
def snapshot_scores(db: Any, source: str, day: str, category: str = "full") -> list[tuple[str, float]]:
    """(arena name, score) of one Arena board (one source, date and category), best first."""
    return db.execute("SELECT arena_name, score FROM arena_ratings WHERE source_id = ? AND snapshot_date = ? "
                      "AND category = ? ORDER BY score DESC", [source, day, category]).fetchall()


def ratings_of(db: Any, model_id: int) -> list[tuple[str, str, str, str]]:
    """(source, board date, category, arena name) of every Arena rating of a model."""
    return db.execute("SELECT source_id, snapshot_date, category, arena_name FROM arena_ratings WHERE model_id = ?",
                      [model_id]).fetchall()


def prices_of(db: Any, model_id: int) -> list[tuple[str, str]]:
    """(arena name, as of) of every price row of a model."""
    return db.execute("SELECT arena_name, as_of FROM prices WHERE model_id = ?", [model_id]).fetchall()


def scores_of(db: Any, model_id: int) -> list[tuple]:
    """(benchmark, version, value, date, source id) of every benchmark score of a model."""
    return db.execute("SELECT benchmark, version, value, date, source_id FROM benchmark_scores WHERE model_id = ?",
                      [model_id]).fetchall()


def aliases_of(db: Any, model_id: int) -> list[str]:
    return [a for (a,) in db.execute("SELECT alias FROM aliases WHERE model_id = ?", [model_id]).fetchall()]


# -- what the lookup indexes are built from ------------------------------------------------
def model_spellings(store: Store) -> list[tuple[str, int]]:
    """(alias, model id) of every alias, and the display name LMArena shows for each model key."""
    return [(r["alias"], r["model_id"]) for r in store.query(
        """SELECT alias, model_id FROM aliases UNION
           SELECT k.display_name, a.model_id FROM arena_keys k JOIN aliases a ON a.alias = k.key""")]


def organizations(store: Store) -> list[Row]:
    return store.query("SELECT id, name FROM organizations")


def org_spellings(store: Store) -> list[tuple[str, int]]:
    """(spelling, organisation id) of every organisation alias."""
    return [(r["spelling"], r["org_id"]) for r in store.query("SELECT spelling, org_id FROM org_aliases")]


# -- issue #11 commands: small, prices, the model card ----------------------------------------
def benchmark_results(store: Store, benchmark: str) -> list[Row]:
    """Every result on a benchmark, oldest first: model id, value (percent), its date (else the
    model's release) and the version that was run (`small` reads the first to reach a threshold)."""
    return store.query(
        """SELECT s.model_id, s.value * 100 AS value, COALESCE(s.date, m.release_date) AS date, s.version
           FROM benchmark_scores s JOIN models m ON m.id = s.model_id
           WHERE s.benchmark = ? ORDER BY date""", [benchmark])


def price_list(store: Store, source: str = "arena-prices") -> list[Row]:
    """Every price row of a price source, oldest list first."""
    return store.query("SELECT * FROM prices WHERE source_id = ? ORDER BY as_of", [source])


def newest_overall_board_of(store: Store, model_id: int, until: str | None = None) -> Row | None:
    """(source_id, snapshot_date) of the newest overall board of any source that rates a model."""
    return store.one(
        "SELECT source_id, snapshot_date FROM arena_ratings WHERE model_id = ? AND category = 'full' "
        "AND (? IS NULL OR snapshot_date <= ?) ORDER BY snapshot_date DESC, score DESC LIMIT 1",
        [model_id, until, until])


def figure_row(store: Store, figure_id: str) -> Row | None:
    """One AI Index figure with every column (value, period, subject, unit, citation ...)."""
    return store.one("SELECT * FROM figures WHERE id = ?", [figure_id])
