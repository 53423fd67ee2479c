-- llmproxy store, version 7: a team's defaults for the members added to it and their keys.
--
-- LiteLLM keeps a team's member budget in a LiteLLM_BudgetTable row that metadata.team_member_budget_id names, and
-- links each membership added later to it; the member keys' duration is metadata.team_member_key_duration. Here they
-- are columns of the team: the budget and its period are copied onto each membership added afterwards (a member's
-- budget is a column of the membership since version 1), and a key generated for a member of the team without a
-- duration of its own gets the team's.
ALTER TABLE "LiteLLM_TeamTable" ADD COLUMN team_member_budget DOUBLE PRECISION;
ALTER TABLE "LiteLLM_TeamTable" ADD COLUMN team_member_budget_duration TEXT;
ALTER TABLE "LiteLLM_TeamTable" ADD COLUMN team_member_key_duration TEXT;
