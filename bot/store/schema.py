"""The database schema and its migrations.

Each entry of :data:`MIGRATIONS` moves the schema one version up; a database
records its version in ``PRAGMA user_version``. Every row that holds a figure
points at its source (``source_id``).
"""
from __future__ import annotations

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
    # 2: every server its own (bot/store/servers.py): settings, watches, the race views watches compare.
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
    # 3: `history <model>` by index (issue #12)
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
]

SCHEMA_VERSION = len(MIGRATIONS)

# Indexes every database gets at open whatever its history (idempotent; kept out of the
# numbered migrations so a migration that rebuilds a table cannot lose them).
ENSURE_INDEXES: list[str] = [
    "CREATE INDEX IF NOT EXISTS arena_name ON arena_ratings(arena_name)",  # a name's ratings (alias, merge)
]

# Primary-key columns of each table that an audited change may touch.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "sources": ("id",),
    "organizations": ("id",),
    "org_aliases": ("alias",),
    "models": ("id",),
    "aliases": ("alias",),
    "arena_ratings": ("snapshot_date", "arena_name"),
    "benchmark_scores": ("model_id", "benchmark", "version"),
    "figures": ("id",),
    "meta": ("key",),
}
