package dev.llmproxy.proxy.server;

import dev.llmproxy.store.DatabaseUrl;
import dev.llmproxy.store.KeyHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A LiteLLM proxy database to import from: LiteLLM's tables ({@code litellm/schema.sql}) in a new schema of the test
 * PostgreSQL on 127.0.0.1:5432, filled with keys, users, a team, memberships and budgets that exercise each rule of
 * the import. Dropped on close. A missing PostgreSQL fails the test loudly.
 */
final class LiteLlmSourceDatabase implements AutoCloseable {
    static final String PLAIN = "sk-imported-plain-0001";
    static final String ONLY_GPT_B = "sk-imported-models-0002";
    static final String BLOCKED = "sk-imported-blocked-0003";
    static final String OVER_BUDGET = "sk-imported-budget-0004";
    static final String EXPIRED = "sk-imported-expired-0005";
    static final String WITH_ROUTES = "sk-imported-routes-0006";
    static final String UI_SESSION = "sk-imported-ui-session-0007";
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";

    private final String schema = "litellm_src_" + UUID.randomUUID().toString().replace("-", "");

    LiteLlmSourceDatabase() {
        execute(SERVER, "CREATE SCHEMA " + schema);
        execute(url(), schemaSql());
        execute(url(), """
                INSERT INTO "LiteLLM_BudgetTable" (budget_id, max_budget, soft_budget, rpm_limit, budget_duration,
                                                   budget_reset_at, created_by, updated_by)
                VALUES ('b-key', 0.005, 5, 100, NULL, NULL, 'admin', 'admin'),
                       ('b-member', 3, NULL, NULL, '30d', '2025-04-01 00:00:00', 'admin', 'admin'),
                       ('b-end-user', 1, NULL, NULL, '1d', '2025-03-05 00:00:00', 'admin', 'admin'),
                       ('b-organization', 50, NULL, NULL, NULL, NULL, 'admin', 'admin');
                INSERT INTO "LiteLLM_EndUserTable" (user_id, alias, spend, allowed_model_region, default_model,
                                                    budget_id, blocked)
                VALUES ('cust-capped', 'Capped', 1.5, 'eu', 'gpt-a', 'b-end-user', false),
                       ('cust-blocked', NULL, 0, NULL, NULL, NULL, true),
                       ('cust-plain', NULL, 0.2, NULL, NULL, NULL, false);
                INSERT INTO "LiteLLM_UserTable" (user_id, user_alias, user_role, max_budget, spend, user_email, models,
                                                 metadata, organization_id, created_at, updated_at)
                VALUES ('u1', 'User One', 'internal_user', 10, 1.5, 'u1@example.com', '{gpt-a}', '{"k": 1}', NULL,
                        '2025-01-02 03:04:05.678', '2025-02-03 04:05:06.789'),
                       ('u2', NULL, NULL, NULL, 0, NULL, '{}', '{}', NULL, '2025-01-02 00:00:00',
                        '2025-01-02 00:00:00'),
                       ('u3', NULL, 'internal_user', NULL, 0, NULL, NULL, '{}', 'org-1', '2025-01-02 00:00:00',
                        '2025-01-02 00:00:00');
                INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, members_with_roles, metadata, max_budget, spend,
                                                 models, rpm_limit, blocked)
                VALUES ('t1', 'Team One',
                        '[{"user_id": "u1", "role": "admin"}, {"user_id": "u2", "role": "user"},
                          {"user_email": "invited@example.com", "role": "user"}, {"user_id": "ghost", "role": "user"}]',
                        '{"model_rpm_limit": {"gpt-a": 5}, "team_member_budget_id": "b-member"}', 100, 2.5,
                        '{gpt-a,gpt-b}', 50, false);
                INSERT INTO "LiteLLM_TeamMembership" (user_id, team_id, spend, budget_id)
                VALUES ('u1', 't1', 0.75, 'b-member');
                """);
        execute(url(), "INSERT INTO \"LiteLLM_VerificationToken\" (token, key_name, key_alias, spend, models, user_id, "
                + "team_id, metadata, blocked, max_budget, expires, budget_id, organization_id, allowed_routes, "
                + "created_at, updated_at) VALUES "
                + key(PLAIN, "plain", 0.25, "{}", "'u1'", "'t1'",
                        "{\"tags\": [\"imp\"], \"model_tpm_limit\": {\"gpt-a\": 1000}, \"note\": \"kept\"}",
                        "NULL", "NULL", "NULL", "NULL", "NULL", "'{}'") + ", "
                + key(ONLY_GPT_B, null, 0, "{gpt-b}", "NULL", "NULL", "{}", "false", "NULL", "NULL", "NULL", "NULL",
                        "'{}'") + ", "
                + key(BLOCKED, null, 0, "{}", "NULL", "NULL", "{}", "true", "NULL", "NULL", "NULL", "NULL", "'{}'")
                + ", "
                + key(OVER_BUDGET, "budgeted", 0.01, "{}", "NULL", "NULL", "{}", "NULL", "NULL", "NULL", "'b-key'",
                        "NULL", "'{}'") + ", "
                + key(EXPIRED, null, 0, "{}", "NULL", "NULL", "{}", "NULL", "NULL", "'2020-01-01 00:00:00'", "NULL",
                        "NULL", "'{}'") + ", "
                + key(WITH_ROUTES, null, 0, "{}", "NULL", "NULL", "{}", "NULL", "1", "NULL", "NULL", "'org-1'",
                        "'{llm_api_routes}'") + ", "
                + key(UI_SESSION, null, 0, "{}", "'u1'", "'litellm-dashboard'", "{}", "NULL", "NULL", "NULL", "NULL",
                        "NULL", "'{}'"));
    }

    /** LiteLLM's {@code DATABASE_URL} for this database. */
    DatabaseUrl databaseUrl() {
        return new DatabaseUrl(url(), "postgres", "");
    }

    @Override
    public void close() {
        execute(SERVER, "DROP SCHEMA " + schema + " CASCADE");
    }

    private String url() {
        return SERVER + "?currentSchema=" + schema;
    }

    private static String key(String key, String alias, double spend, String models, String user, String team,
            String metadata, String blocked, String maxBudget, String expires, String budget, String organization,
            String routes) {
        return "('" + KeyHash.of(key) + "', 'sk-...." + key.substring(key.length() - 4) + "', "
                + (alias == null ? "NULL" : "'" + alias + "'") + ", " + spend + ", '" + models + "', " + user + ", "
                + team + ", '" + metadata + "', " + blocked + ", " + maxBudget + ", " + expires + ", " + budget + ", "
                + organization + ", " + routes + ", '2025-03-04 05:06:07.089', '2025-03-05 00:00:00')";
    }

    private static String schemaSql() {
        try (InputStream in = LiteLlmSourceDatabase.class.getResourceAsStream("/litellm/schema.sql")) {
            if (in == null) {
                throw new AssertionError("litellm/schema.sql is missing from the test resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new AssertionError("These tests need PostgreSQL on 127.0.0.1:5432 (database test, user postgres, "
                    + "trust auth): " + e.getMessage(), e);
        }
    }
}
