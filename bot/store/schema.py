"""The database schema and its migrations.

Each entry of :data:`MIGRATIONS` moves the schema one version up; a database
records its version in ``PRAGMA user_version``. Every row that holds a figure
points at its source (``source_id``).
"""
from __future__ import annotations

def _bump_ratings_version(table: str, event: str, columns: tuple[str, ...]) -> str:
    """A trigger that bumps ``meta.ratings_version`` after `event` on `table`
    (for an UPDATE with `columns`: only when one of them really changes)."""
    when = (" WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)) if columns else ""
    return (f"CREATE TRIGGER ratings_version_{table}_{event.lower()} AFTER {event} ON {table}{when}\n"
            "    BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'ratings_version'; END;")


MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        url TEXT,
        licence TEXT,
        as_of TEXT,
        note TEXT
    );
    CREATE TABLE organizations (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        country TEXT,
        sector TEXT,
        source_id TEXT REFERENCES sources(id)
    );
    CREATE TABLE org_aliases (
        alias TEXT PRIMARY KEY,             -- folded spelling
        org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        spelling TEXT NOT NULL              -- as the source wrote it
    );
    CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        organization TEXT,
        org_id INTEGER REFERENCES organizations(id),
        country TEXT,
        countries TEXT,
        sector TEXT,
        release_date TEXT,
        domain TEXT,
        parameters REAL,
        training_compute REAL,
        training_cost REAL,
        access TEXT,
        licence TEXT,
        frontier INTEGER NOT NULL DEFAULT 0,
        origin TEXT NOT NULL DEFAULT 'epoch',
        source_id TEXT REFERENCES sources(id),
        hidden INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX models_country ON models(country);
    CREATE INDEX models_org ON models(org_id);
    CREATE INDEX models_release ON models(release_date);
    CREATE TABLE aliases (
        alias TEXT PRIMARY KEY,             -- the spelling (Arena name, version id, user alias)
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        kind TEXT NOT NULL DEFAULT 'alias', -- arena | version | alias
        reviewed INTEGER NOT NULL DEFAULT 0,
        source_id TEXT REFERENCES sources(id)
    );
    CREATE INDEX aliases_model ON aliases(model_id);
    CREATE TABLE arena_ratings (
        snapshot_date TEXT NOT NULL,
        arena_name TEXT NOT NULL,
        model_id INTEGER NOT NULL REFERENCES models(id),
        rank INTEGER NOT NULL,
        rank_stylectrl INTEGER,
        score REAL NOT NULL,
        ci_plus REAL,
        ci_minus REAL,
        votes INTEGER,
        organization TEXT,
        licence TEXT,
        knowledge_cutoff TEXT,
        source_id TEXT NOT NULL REFERENCES sources(id),
        PRIMARY KEY (snapshot_date, arena_name)
    );
    CREATE INDEX arena_model ON arena_ratings(model_id, snapshot_date);
    CREATE INDEX arena_date_score ON arena_ratings(snapshot_date, score DESC);
    CREATE TABLE benchmark_scores (
        model_id INTEGER NOT NULL REFERENCES models(id),
        benchmark TEXT NOT NULL,
        version TEXT NOT NULL DEFAULT '',   -- the model version that was run
        value REAL NOT NULL,                -- 0..1
        date TEXT,
        source_id TEXT NOT NULL REFERENCES sources(id),
        PRIMARY KEY (model_id, benchmark, version)
    );
    CREATE INDEX scores_benchmark ON benchmark_scores(benchmark, value DESC);
    CREATE TABLE figures (
        id TEXT PRIMARY KEY,
        topic TEXT NOT NULL,
        metric TEXT NOT NULL,
        subject TEXT,
        period TEXT,
        value REAL NOT NULL,
        unit TEXT,
        citation TEXT,
        source_id TEXT NOT NULL REFERENCES sources(id)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,               -- the command that made the change
        batch INTEGER NOT NULL,             -- one user change = one batch (undo unit)
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,              -- JSON of the primary key
        before TEXT,                        -- JSON row, NULL when inserted
        after TEXT,                         -- JSON row, NULL when deleted
        undone INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX audit_batch ON audit(batch);
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT
    );
    """,
    # 2: every server its own (bot/store/server_state.py): settings, watches, the race views watches compare.
    # Self-contained: it touches no table of the data above except two columns of the audit log,
    # where server changes are kept apart (scope 'server', with the guild id) from data changes.
    """
    CREATE TABLE guild_settings (
        guild_id TEXT PRIMARY KEY,
        prefix TEXT,                        -- NULL: the bot's COMMAND_PREFIX
        channel_id TEXT,                    -- where watches and digests post by default
        digest TEXT NOT NULL DEFAULT 'off', -- off | weekly
        digest_day INTEGER NOT NULL DEFAULT 0,  -- 0 Monday ... 6 Sunday (UTC)
        charts INTEGER NOT NULL DEFAULT 1,
        digest_week TEXT,                   -- ISO week of the last digest posted (claimed atomically)
        baseline_version INTEGER,           -- the data version this server's watches last compared against
        post_error TEXT,                    -- why posting failed last time (NULL when it worked)
        post_error_at TEXT,
        updated_at TEXT
    );
    CREATE TABLE watches (
        id INTEGER PRIMARY KEY,
        guild_id TEXT NOT NULL REFERENCES guild_settings(guild_id) ON DELETE CASCADE,
        kind TEXT NOT NULL,                 -- gap | top | model | country
        spec TEXT NOT NULL,                 -- JSON: what is watched
        label TEXT NOT NULL,                -- how it reads: "gap United States China below 2%"
        channel_id TEXT,                    -- NULL: the server's channel, else where it was made
        origin_channel_id TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_fired_key TEXT,                -- the change it last posted (claimed before sending)
        last_fired_at TEXT
    );
    CREATE INDEX watches_guild ON watches(guild_id);
    CREATE TABLE race_views (
        version INTEGER PRIMARY KEY,        -- data_version
        view TEXT NOT NULL,                 -- JSON: the latest Arena board at that version
        created_at TEXT NOT NULL
    );
    ALTER TABLE audit ADD COLUMN scope TEXT NOT NULL DEFAULT 'data';  -- data | server
    ALTER TABLE audit ADD COLUMN guild_id TEXT;
    CREATE INDEX audit_scope ON audit(scope, guild_id);
    """,
    # 3: one Arena history from three sources (issue #11). Every rating keeps the board it
    # comes from: its source (arena-csv | arena-history | arena-catalog, rows of `sources`),
    # the board's date and its category ('full' is the overall board); the 95% interval is
    # stored as absolute bounds; a published rank is optional (only the CSV snapshots publish
    # one). Prices per Arena model key, and parameter counts with the URL they come from.
    """
    INSERT INTO sources (id, title, url, licence, as_of, note)
        SELECT 'arena-csv', title, url, licence, as_of, note FROM sources WHERE id = 'lmarena';
    UPDATE models SET source_id = 'arena-csv' WHERE source_id = 'lmarena';
    UPDATE organizations SET source_id = 'arena-csv' WHERE source_id = 'lmarena';
    UPDATE aliases SET source_id = 'arena-csv' WHERE source_id = 'lmarena';
    UPDATE benchmark_scores SET source_id = 'arena-csv' WHERE source_id = 'lmarena';
    UPDATE figures SET source_id = 'arena-csv' WHERE source_id = 'lmarena';
    CREATE TABLE arena_ratings_v2 (
        source_id TEXT NOT NULL REFERENCES sources(id), -- arena-csv | arena-history | arena-catalog
        snapshot_date TEXT NOT NULL,        -- the board's date (ISO)
        category TEXT NOT NULL DEFAULT 'full', -- 'full' = overall; catalog: coding, math, chinese ...
        arena_name TEXT NOT NULL,           -- as the board names it: display name (CSV) or model key
        model_id INTEGER NOT NULL REFERENCES models(id),
        rank INTEGER,                       -- as published (CSV snapshots); NULL when not published
        rank_stylectrl INTEGER,
        score REAL NOT NULL,
        ci_lower REAL,                      -- 95% interval, absolute (CSV: score - minus; catalog: q025)
        ci_upper REAL,                      -- (CSV: score + plus; catalog: q975); NULL for the history
        votes INTEGER,
        organization TEXT,                  -- as the board wrote it (CSV only)
        licence TEXT,                       -- as the board wrote it (CSV only)
        knowledge_cutoff TEXT,
        PRIMARY KEY (source_id, snapshot_date, category, arena_name)
    ) WITHOUT ROWID;
    INSERT INTO arena_ratings_v2 (source_id, snapshot_date, category, arena_name, model_id, rank,
            rank_stylectrl, score, ci_lower, ci_upper, votes, organization, licence, knowledge_cutoff)
        SELECT CASE source_id WHEN 'lmarena' THEN 'arena-csv' ELSE source_id END, snapshot_date, 'full',
               arena_name, model_id, rank, rank_stylectrl, score,
               CASE WHEN ci_minus IS NULL THEN NULL ELSE score - ci_minus END,
               CASE WHEN ci_plus IS NULL THEN NULL ELSE score + ci_plus END,
               votes, organization, licence, knowledge_cutoff
        FROM arena_ratings;
    DROP TABLE arena_ratings;
    ALTER TABLE arena_ratings_v2 RENAME TO arena_ratings;
    CREATE INDEX arena_model ON arena_ratings(model_id, snapshot_date);
    CREATE INDEX arena_board ON arena_ratings(category, source_id, snapshot_date, score DESC);
    DELETE FROM sources WHERE id = 'lmarena';
    CREATE TABLE prices (
        arena_name TEXT NOT NULL,           -- the Arena model key the price is listed for
        as_of TEXT NOT NULL,                -- the date of the price list
        model_id INTEGER NOT NULL REFERENCES models(id),
        display_name TEXT,                  -- the list's display name
        input_price REAL,                   -- USD per million input tokens
        output_price REAL,                  -- USD per million output tokens
        price_url TEXT,                     -- where the list says the price comes from
        source_id TEXT NOT NULL REFERENCES sources(id), -- arena-prices
        PRIMARY KEY (arena_name, as_of)
    );
    CREATE INDEX prices_model ON prices(model_id);
    ALTER TABLE models ADD COLUMN active_parameters REAL;      -- mixture of experts: active per token
    ALTER TABLE models ADD COLUMN parameters_url TEXT;         -- model card / paper the size comes from
    ALTER TABLE models ADD COLUMN parameters_disclosed INTEGER; -- 0: the maker does not disclose it
    """,
    # 4: what an Arena model key is called, by whom made and whether open, with where each
    # came from (the reviewed curation or LMArena's scatterplot-data)
    """
    CREATE TABLE arena_keys (
        key TEXT PRIMARY KEY,               -- the Arena model key (history, catalog)
        display_name TEXT NOT NULL,         -- how LMArena shows it
        organization TEXT,
        open INTEGER,                       -- 1 open weights, 0 closed, NULL unknown
        licence TEXT,
        name_from TEXT,                     -- csv:<display name> | scatterplot | hand
        source_id TEXT REFERENCES sources(id)
    );
    """,
    # 5: `history <model>` by index (issue #12)
    """
    -- `history <model>` finds a model's audit rows by index, not by scanning the log's JSON:
    -- model_id is the model a row concerns (after the change), was_model_id the one it
    -- concerned before, when that differs (a merge moves ratings, scores and aliases).
    ALTER TABLE audit ADD COLUMN model_id INTEGER;
    ALTER TABLE audit ADD COLUMN was_model_id INTEGER;
    UPDATE audit SET model_id = CASE WHEN tbl = 'models' THEN json_extract(row_key, '$.id')
        ELSE COALESCE(json_extract(after, '$.model_id'), json_extract(row_key, '$.model_id'),
                      json_extract(before, '$.model_id')) END;
    UPDATE audit SET was_model_id = json_extract(before, '$.model_id')
        WHERE tbl != 'models' AND json_extract(before, '$.model_id') IS NOT model_id;
    CREATE INDEX audit_model ON audit(model_id);
    CREATE INDEX audit_was_model ON audit(was_model_id);
    """,
    # 6: the ratings' version: bumped by every write, from any process, to what an Arena rating
    # reads (the ratings, the names LMArena shows, and the model and organisation columns joined
    # to them), so a read model can keep its rating maps when only other data changed (issue #12)
    "INSERT OR IGNORE INTO meta (key, value) VALUES ('ratings_version', '0');\n"
    + "\n".join(_bump_ratings_version(table, event, columns) for table, event, columns in (
        ("arena_ratings", "INSERT", ()), ("arena_ratings", "UPDATE", ()), ("arena_ratings", "DELETE", ()),
        ("arena_keys", "INSERT", ()), ("arena_keys", "UPDATE", ()), ("arena_keys", "DELETE", ()),
        ("models", "UPDATE", ("id", "name", "organization", "org_id", "country", "licence", "access", "hidden")),
        ("models", "DELETE", ()),
        ("organizations", "UPDATE", ("id", "name", "country")), ("organizations", "DELETE", ()))),
    # 7: one Arena entry, one model variant (issue #21): a thinking, high, preview, dated or
    # experimental build is a model of its own, linked to its family (bot/store/variants.py)
    """
    ALTER TABLE models ADD COLUMN variant_of INTEGER REFERENCES models(id);
    CREATE INDEX models_variant_of ON models(variant_of);
    """,
    # 8: how sure a parameter count is, as its source says (issue #21): 'estimate', 'speculative',
    # or 'from its name' (an open model's size read from its Arena name: 24b, a22b)
    "ALTER TABLE models ADD COLUMN parameters_note TEXT;",
    # 9: a model's family is read by the counted boards (a preview renamed to its released name is
    # not retired), so a change of variant_of bumps the ratings' version too
    "DROP TRIGGER IF EXISTS ratings_version_models_update;\n" + _bump_ratings_version(
        "models", "UPDATE", ("id", "name", "organization", "org_id", "country", "licence", "access", "hidden",
                             "variant_of")),
]

SCHEMA_VERSION = len(MIGRATIONS)

# Steps whose presence shows in the tables, so a database can say which it has.
# Builds of the issue #11 branch, before it met the server tables, numbered their
# Arena steps 2 and 3: their databases say user_version 2 or 3 but hold steps 1, 3
# (and 4), not 2. Migrating by user_version alone would run step 3 twice and never 2.
# Likewise builds of the issue #12 branch numbered the audit's model columns step 3,
# right after the server tables: user_version 3 with steps 1, 2 and 5 (no Arena history).
SERVER_STEP, ARENA_STEP, ARENA_KEYS_STEP, AUDIT_MODEL_STEP = 1, 2, 3, 4  # indexes into MIGRATIONS


def applied_steps(version: int, tables: set[str], arena_columns: set[str],
                  audit_columns: set[str] | frozenset[str] = frozenset()) -> set[int]:
    """The indexes of :data:`MIGRATIONS` a database at ``PRAGMA user_version``
    `version`, with these `tables`, these columns of ``arena_ratings`` and
    these of ``audit``, has applied: the first `version` steps, unless its
    tables show the issue #11 branch's own numbering (the Arena history
    without the server tables) or the issue #12 branch's (the audit's model
    columns without the Arena history)."""
    audit_model = {AUDIT_MODEL_STEP} if "model_id" in audit_columns else set()
    if version >= 2 and "guild_settings" not in tables and "category" in arena_columns:
        return {0, ARENA_STEP} | ({ARENA_KEYS_STEP} if "arena_keys" in tables else set()) | audit_model
    if version >= 1 and "category" not in arena_columns and audit_model:
        return set(range(min(version, SERVER_STEP + 1))) - {ARENA_STEP, ARENA_KEYS_STEP} | audit_model
    return set(range(version))


# Primary-key columns of each table that an audited change may touch.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "sources": ("id",),
    "organizations": ("id",),
    "org_aliases": ("alias",),
    "models": ("id",),
    "aliases": ("alias",),
    "arena_ratings": ("source_id", "snapshot_date", "category", "arena_name"),
    "prices": ("arena_name", "as_of"),
    "arena_keys": ("key",),
    "benchmark_scores": ("model_id", "benchmark", "version"),
    "figures": ("id",),
    "meta": ("key",),
}
