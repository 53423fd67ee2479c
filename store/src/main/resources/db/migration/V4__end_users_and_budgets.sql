-- llmproxy store, version 4: end users (LiteLLM's customers) and the budgets they link to; indexes for reading
-- changed users and teams.
--
-- An end user is the `user` of a model request (or its x-litellm-end-user-id header), not a user of the proxy.
-- LiteLLM keeps an end user's budget in a LiteLLM_BudgetTable row that many end users may share (a tier); so does
-- llmproxy, with LiteLLM's names. A budget row's budget_duration resets the spend of every end user linked to it.
-- The spend writer creates an end user's row the first time spend is accrued to it, as LiteLLM does.
-- updated_at is llmproxy's own (LiteLLM's end-user table has none): other instances re-read the end users whose
-- updated_at moved, so a block or a new budget reaches them within the key cache's refresh interval.

CREATE TABLE "LiteLLM_BudgetTable" (
    budget_id             TEXT PRIMARY KEY,
    max_budget            DOUBLE PRECISION,
    soft_budget           DOUBLE PRECISION,
    max_parallel_requests INTEGER,
    tpm_limit             BIGINT,
    rpm_limit             BIGINT,
    model_max_budget      TEXT NOT NULL DEFAULT '{}',   -- JSON object, kept for LiteLLM, not enforced
    budget_duration       TEXT,
    budget_reset_at       TIMESTAMP(3),
    created_at            TIMESTAMP(3) NOT NULL,
    created_by            TEXT NOT NULL,
    updated_at            TIMESTAMP(3) NOT NULL,
    updated_by            TEXT NOT NULL
);
CREATE INDEX "LiteLLM_BudgetTable_budget_reset_at_idx" ON "LiteLLM_BudgetTable" (budget_reset_at);

CREATE TABLE "LiteLLM_EndUserTable" (
    user_id               TEXT PRIMARY KEY,
    alias                 TEXT,
    spend                 DOUBLE PRECISION NOT NULL DEFAULT 0,
    allowed_model_region  TEXT,                         -- "eu" or "us"; stored, not enforced
    default_model         TEXT,
    budget_id             TEXT REFERENCES "LiteLLM_BudgetTable" (budget_id) ON DELETE SET NULL,
    blocked               BOOLEAN NOT NULL DEFAULT FALSE,
    metadata              TEXT NOT NULL DEFAULT '{}',
    updated_at            TIMESTAMP(3) NOT NULL
);
CREATE INDEX "LiteLLM_EndUserTable_budget_id_idx" ON "LiteLLM_EndUserTable" (budget_id);
CREATE INDEX "LiteLLM_EndUserTable_updated_at_idx" ON "LiteLLM_EndUserTable" (updated_at);

-- Every instance reads the users and teams changed since its last refresh each second (as it reads keys).
CREATE INDEX "LiteLLM_UserTable_updated_at_idx" ON "LiteLLM_UserTable" (updated_at);
CREATE INDEX "LiteLLM_TeamTable_updated_at_idx" ON "LiteLLM_TeamTable" (updated_at);
