-- llmproxy store, version 1: virtual keys, users, teams, team memberships and spend logs.
--
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode (the embedded default), so it keeps to the common
-- subset: TEXT, DOUBLE PRECISION, BIGINT, INTEGER, BOOLEAN, TIMESTAMP(3). Table and column names are LiteLLM's
-- (quoted, mixed case) so that an import from a LiteLLM database is a column-for-column copy; where the types or the
-- placement differ, store/README.md ("Schema mapping") says how the import converts:
--   * LiteLLM's TEXT[] and JSONB columns are TEXT holding JSON here (H2 has neither type in a form both share);
--   * model_rpm_limit, model_tpm_limit and tags, which LiteLLM keeps inside the key's metadata, are columns;
--   * a key's soft_budget and a member's max budget, which LiteLLM keeps in LiteLLM_BudgetTable, are columns;
--   * a member's role, which LiteLLM keeps in the team's members_with_roles, is a column of the membership.
-- Timestamps are UTC without a time zone, as LiteLLM stores them. Ids and updated_at are set by the application.

CREATE TABLE "LiteLLM_VerificationToken" (
    token                 TEXT PRIMARY KEY,             -- lowercase hex SHA-256 of the whole key, "sk-" included
    key_name              TEXT,                         -- "sk-...abcd"
    key_alias             TEXT,                         -- unique among keys, enforced by the application
    spend                 DOUBLE PRECISION NOT NULL DEFAULT 0,
    max_budget            DOUBLE PRECISION,
    soft_budget           DOUBLE PRECISION,
    budget_duration       TEXT,
    budget_reset_at       TIMESTAMP(3),
    expires               TIMESTAMP(3),
    models                TEXT NOT NULL DEFAULT '[]',   -- JSON array of model names, access groups, wildcards
    aliases               TEXT NOT NULL DEFAULT '{}',   -- JSON object
    user_id               TEXT,
    team_id               TEXT,
    tpm_limit             BIGINT,
    rpm_limit             BIGINT,
    max_parallel_requests INTEGER,
    model_rpm_limit       TEXT NOT NULL DEFAULT '{}',   -- JSON object: model name -> requests per minute
    model_tpm_limit       TEXT NOT NULL DEFAULT '{}',   -- JSON object: model name -> tokens per minute
    metadata              TEXT NOT NULL DEFAULT '{}',   -- JSON object, not interpreted by the store
    tags                  TEXT NOT NULL DEFAULT '[]',   -- JSON array
    blocked               BOOLEAN,
    created_at            TIMESTAMP(3) NOT NULL,
    updated_at            TIMESTAMP(3) NOT NULL,
    created_by            TEXT,
    updated_by            TEXT
);
CREATE INDEX "LiteLLM_VerificationToken_user_id_team_id_idx" ON "LiteLLM_VerificationToken" (user_id, team_id);
CREATE INDEX "LiteLLM_VerificationToken_team_id_idx" ON "LiteLLM_VerificationToken" (team_id);
CREATE INDEX "LiteLLM_VerificationToken_budget_reset_at_expires_idx"
    ON "LiteLLM_VerificationToken" (budget_reset_at, expires);
CREATE INDEX "LiteLLM_VerificationToken_key_alias_idx" ON "LiteLLM_VerificationToken" (key_alias);
CREATE INDEX "LiteLLM_VerificationToken_created_at_idx" ON "LiteLLM_VerificationToken" (created_at);

CREATE TABLE "LiteLLM_UserTable" (
    user_id               TEXT PRIMARY KEY,
    user_alias            TEXT,
    user_email            TEXT,
    user_role             TEXT,                         -- proxy_admin, proxy_admin_viewer, internal_user, ...
    max_budget            DOUBLE PRECISION,
    spend                 DOUBLE PRECISION NOT NULL DEFAULT 0,
    models                TEXT NOT NULL DEFAULT '[]',
    tpm_limit             BIGINT,
    rpm_limit             BIGINT,
    max_parallel_requests INTEGER,
    budget_duration       TEXT,
    budget_reset_at       TIMESTAMP(3),
    metadata              TEXT NOT NULL DEFAULT '{}',
    created_at            TIMESTAMP(3) NOT NULL,
    updated_at            TIMESTAMP(3) NOT NULL
);
CREATE INDEX "LiteLLM_UserTable_user_email_idx" ON "LiteLLM_UserTable" (user_email);
CREATE INDEX "LiteLLM_UserTable_created_at_idx" ON "LiteLLM_UserTable" (created_at);

CREATE TABLE "LiteLLM_TeamTable" (
    team_id               TEXT PRIMARY KEY,
    team_alias            TEXT,
    organization_id       TEXT,
    models                TEXT NOT NULL DEFAULT '[]',
    max_budget            DOUBLE PRECISION,
    soft_budget           DOUBLE PRECISION,
    spend                 DOUBLE PRECISION NOT NULL DEFAULT 0,
    tpm_limit             BIGINT,
    rpm_limit             BIGINT,
    max_parallel_requests INTEGER,
    model_rpm_limit       TEXT NOT NULL DEFAULT '{}',
    model_tpm_limit       TEXT NOT NULL DEFAULT '{}',
    budget_duration       TEXT,
    budget_reset_at       TIMESTAMP(3),
    blocked               BOOLEAN NOT NULL DEFAULT FALSE,
    metadata              TEXT NOT NULL DEFAULT '{}',
    created_at            TIMESTAMP(3) NOT NULL,
    updated_at            TIMESTAMP(3) NOT NULL
);
CREATE INDEX "LiteLLM_TeamTable_organization_id_idx" ON "LiteLLM_TeamTable" (organization_id);
CREATE INDEX "LiteLLM_TeamTable_team_alias_idx" ON "LiteLLM_TeamTable" (team_alias);
CREATE INDEX "LiteLLM_TeamTable_created_at_idx" ON "LiteLLM_TeamTable" (created_at);

CREATE TABLE "LiteLLM_TeamMembership" (
    user_id               TEXT NOT NULL REFERENCES "LiteLLM_UserTable" (user_id) ON DELETE CASCADE,
    team_id               TEXT NOT NULL REFERENCES "LiteLLM_TeamTable" (team_id) ON DELETE CASCADE,
    role                  TEXT NOT NULL DEFAULT 'user', -- "admin" or "user"
    spend                 DOUBLE PRECISION NOT NULL DEFAULT 0,
    max_budget            DOUBLE PRECISION,             -- max_budget_in_team in LiteLLM
    created_at            TIMESTAMP(3) NOT NULL,
    PRIMARY KEY (user_id, team_id)
);
CREATE INDEX "LiteLLM_TeamMembership_team_id_idx" ON "LiteLLM_TeamMembership" (team_id);

-- One row per request. request_id is the idempotency key of the spend writer: a row is inserted at most once, and
-- spend is added to keys, users, teams and members only for rows actually inserted.
CREATE TABLE "LiteLLM_SpendLogs" (
    request_id            TEXT PRIMARY KEY,
    call_type             TEXT NOT NULL DEFAULT '',
    api_key               TEXT NOT NULL DEFAULT '',     -- key hash, never the key
    spend                 DOUBLE PRECISION NOT NULL DEFAULT 0,
    total_tokens          INTEGER NOT NULL DEFAULT 0,
    prompt_tokens         INTEGER NOT NULL DEFAULT 0,
    completion_tokens     INTEGER NOT NULL DEFAULT 0,
    "startTime"           TIMESTAMP(3) NOT NULL,
    "endTime"             TIMESTAMP(3) NOT NULL,
    request_duration_ms   INTEGER,
    model                 TEXT NOT NULL DEFAULT '',
    model_id              TEXT DEFAULT '',              -- deployment id (model_info.id)
    model_group           TEXT DEFAULT '',              -- public model name
    custom_llm_provider   TEXT DEFAULT '',
    api_base              TEXT DEFAULT '',
    "user"                TEXT DEFAULT '',              -- user_id of the key owner
    team_id               TEXT,
    end_user              TEXT,
    request_tags          TEXT NOT NULL DEFAULT '[]',   -- JSON array
    status                TEXT,                         -- "success" or "failure"
    metadata              TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs" ("startTime");
CREATE INDEX "LiteLLM_SpendLogs_end_user_idx" ON "LiteLLM_SpendLogs" (end_user);
