-- llmproxy store, version 5: team members' budget periods, and the record of deletions other instances read.
--
-- A member's budget in a team (max_budget_in_team) may reset on a budget_duration, as LiteLLM's member budgets do
-- through their LiteLLM_BudgetTable row; like the member's max_budget (version 1), the period is kept on the
-- membership itself, and the budget reset treats it as it treats a key's.
ALTER TABLE "LiteLLM_TeamMembership" ADD COLUMN budget_duration TEXT;
ALTER TABLE "LiteLLM_TeamMembership" ADD COLUMN budget_reset_at TIMESTAMP(3);
CREATE INDEX "LiteLLM_TeamMembership_budget_reset_at_idx" ON "LiteLLM_TeamMembership" (budget_reset_at);

-- A deleted key, user, team or end user leaves no row whose updated_at other instances could read, so each deletion
-- is recorded here in the deleting transaction; every instance reads the deletions of the last seconds at each
-- refresh (as it reads changed rows), and the deleting instances prune rows older than an hour.
CREATE TABLE llmproxy_deletions (
    kind                  TEXT NOT NULL,                -- "key", "user", "team" or "end_user"
    id                    TEXT NOT NULL,                -- the key's hash, or the user, team or end user id
    deleted_at            TIMESTAMP(3) NOT NULL
);
CREATE INDEX llmproxy_deletions_deleted_at_idx ON llmproxy_deletions (deleted_at);
