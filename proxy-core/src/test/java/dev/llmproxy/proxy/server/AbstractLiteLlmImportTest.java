package dev.llmproxy.proxy.server;

import static dev.llmproxy.proxy.server.LiteLlmSourceDatabase.BLOCKED;
import static dev.llmproxy.proxy.server.LiteLlmSourceDatabase.EXPIRED;
import static dev.llmproxy.proxy.server.LiteLlmSourceDatabase.ONLY_GPT_B;
import static dev.llmproxy.proxy.server.LiteLlmSourceDatabase.OVER_BUDGET;
import static dev.llmproxy.proxy.server.LiteLlmSourceDatabase.PLAIN;
import static dev.llmproxy.proxy.server.LiteLlmSourceDatabase.UI_SESSION;
import static dev.llmproxy.proxy.server.LiteLlmSourceDatabase.WITH_ROUTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.store.DatabaseUrl;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.LiteLlmImportReport;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Store.importLiteLlm} from a database with LiteLLM's schema ({@link LiteLlmSourceDatabase}), then requests with
 * the imported keys over real sockets: models, blocked, expiry and budgets (from a linked budget row) are honoured, and
 * so are imported end users' blocks and budgets.
 * Subclasses choose the target database.
 */
abstract class AbstractLiteLlmImportTest extends StoreFlowTestBase {
    private static final String[] TABLES = {"LiteLLM_VerificationToken", "LiteLLM_UserTable", "LiteLLM_TeamTable",
            "LiteLLM_TeamMembership", "LiteLLM_EndUserTable", "LiteLLM_BudgetTable"};

    private LiteLlmSourceDatabase source;
    private LiteLlmImportReport report;

    @Override
    void beforeProxy(Store fresh) {
        source = new LiteLlmSourceDatabase();
        report = fresh.importLiteLlm(source.databaseUrl());
    }

    @AfterEach
    void dropSource() {
        if (source != null) {
            source.close();
        }
    }

    @Test
    void shouldServeImportedKeysWithTheirModelsBlockExpiryAndBudget() {
        HttpResponse<String> plain = chat("gpt-a", PLAIN);
        HttpResponse<String> outsideModels = chat("gpt-a", ONLY_GPT_B);
        HttpResponse<String> blocked = chat("gpt-a", BLOCKED);
        HttpResponse<String> overBudget = chat("gpt-a", OVER_BUDGET);
        HttpResponse<String> expired = chat("gpt-a", EXPIRED);
        HttpResponse<String> uiSession = chat("gpt-a", UI_SESSION);

        assertThat(plain.statusCode()).isEqualTo(200);
        // The imported spend, with the call's own cost (10 prompt tokens at 0.001) added, as LiteLLM's newer versions.
        assertThat(plain.headers().firstValue("x-litellm-key-spend")).hasValue("0.26");
        assertThat(outsideModels.statusCode()).isEqualTo(401);
        assertThat(outsideModels.body()).contains("\"type\":\"key_model_access_denied\"");
        assertThat(chat("gpt-b", ONLY_GPT_B).statusCode()).isEqualTo(200);
        assertThat(blocked.statusCode()).isEqualTo(401);
        assertThat(blocked.body()).contains("Key is blocked");
        assertThat(overBudget.statusCode()).isEqualTo(429);
        assertThat(overBudget.body()).contains("\"type\":\"budget_exceeded\"");
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("\"type\":\"expired_key\"");
        assertThat(uiSession.statusCode()).isEqualTo(401);
        assertThat(chat("gpt-a", WITH_ROUTES).statusCode()).isEqualTo(200);
        assertThat(mock.requestsReceived()).isEqualTo(3);
    }

    @Test
    void shouldRefuseImportedEndUsersThatAreBlockedOrOverTheirBudget() {
        await().atMost(Duration.ofSeconds(5)).until(() -> keys.endUsers().check("cust-blocked") != null);
        HttpResponse<String> blocked = proxy.chat("gpt-a", "Authorization", "Bearer " + PLAIN,
                "x-litellm-end-user-id", "cust-blocked");
        HttpResponse<String> overBudget = proxy.chat("gpt-a", "Authorization", "Bearer " + PLAIN,
                "x-litellm-end-user-id", "cust-capped");
        HttpResponse<String> plain = proxy.chat("gpt-a", "Authorization", "Bearer " + PLAIN,
                "x-litellm-end-user-id", "cust-plain");

        assertThat(blocked.statusCode()).isEqualTo(400);
        assertThat(blocked.body()).contains("User blocked from making LLM API Calls. User=cust-blocked");
        assertThat(overBudget.statusCode()).isEqualTo(429);
        assertThat(overBudget.body()).contains("ExceededBudget: End User=cust-capped over budget. "
                + "Spend=1.500000, Budget=1.000000");
        assertThat(plain.statusCode()).isEqualTo(200);
    }

    @Test
    void shouldReportWhatItCopiedAndWhatItCouldNot() {
        assertThat(report.keys()).isEqualTo(6);
        assertThat(report.users()).isEqualTo(3);
        assertThat(report.teams()).isEqualTo(1);
        assertThat(report.memberships()).isEqualTo(2);
        assertThat(report.endUsers()).isEqualTo(3);
        assertThat(report.budgets()).isEqualTo(3);
        assertThat(report.skipped()).hasSize(3)
                .anySatisfy(s -> assertThat(s).contains("UI session key"))
                .anySatisfy(s -> assertThat(s).contains("invited@example.com").contains("no user_id"))
                .anySatisfy(s -> assertThat(s).contains("ghost").contains("no such user"));
        assertThat(report.notCopied())
                .anySatisfy(s -> assertThat(s).startsWith("1 user(s): organization_id"))
                .anySatisfy(s -> assertThat(s).startsWith("1 key(s): organization_id"))
                .anySatisfy(s -> assertThat(s).startsWith("1 key(s): allowed_routes"))
                .anySatisfy(s -> assertThat(s).startsWith("1 budget(s) of LiteLLM_BudgetTable"));
    }

    @Test
    void shouldConvertLiteLlmColumnsIntoTheStoresColumns() {
        String plain = KeyHash.of(PLAIN);
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_VerificationToken\" WHERE token = ?", plain))
                .isEqualTo(0.25);
        assertThat(text("SELECT tags FROM \"LiteLLM_VerificationToken\" WHERE token = ?", plain))
                .isEqualTo("[\"imp\"]");
        assertThat(text("SELECT model_tpm_limit FROM \"LiteLLM_VerificationToken\" WHERE token = ?", plain))
                .isEqualTo("{\"gpt-a\":1000}");
        assertThat(text("SELECT metadata FROM \"LiteLLM_VerificationToken\" WHERE token = ?", plain))
                .isEqualTo("{\"note\": \"kept\"}");
        assertThat(text("SELECT models FROM \"LiteLLM_VerificationToken\" WHERE token = ?", KeyHash.of(ONLY_GPT_B)))
                .isEqualTo("[\"gpt-b\"]");
        assertThat(text("SELECT CAST(created_at AS VARCHAR) FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                plain)).startsWith("2025-03-04 05:06:07.089");
        String budgeted = KeyHash.of(OVER_BUDGET);
        assertThat(database.queryDouble("SELECT max_budget FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                budgeted)).isEqualTo(0.005);
        assertThat(database.queryDouble("SELECT soft_budget FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                budgeted)).isEqualTo(5);
        assertThat(database.queryLong("SELECT rpm_limit FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                budgeted)).isEqualTo(100);
        assertThat(text("SELECT role FROM \"LiteLLM_TeamMembership\" WHERE user_id = 'u1'")).isEqualTo("admin");
        assertThat(database.queryDouble("SELECT max_budget FROM \"LiteLLM_TeamMembership\" WHERE user_id = 'u1'"))
                .isEqualTo(3);
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_TeamMembership\" WHERE user_id = 'u1'"))
                .isEqualTo(0.75);
        assertThat(text("SELECT budget_duration FROM \"LiteLLM_TeamMembership\" WHERE user_id = 'u1'"))
                .isEqualTo("30d");
        assertThat(text("SELECT CAST(budget_reset_at AS VARCHAR) FROM \"LiteLLM_TeamMembership\" "
                + "WHERE user_id = 'u1'")).startsWith("2025-04-01 00:00:00");
        assertThat(text("SELECT role FROM \"LiteLLM_TeamMembership\" WHERE user_id = 'u2'")).isEqualTo("user");
        assertThat(text("SELECT allowed_model_region || ' ' || default_model || ' ' || budget_id "
                + "FROM \"LiteLLM_EndUserTable\" WHERE user_id = 'cust-capped'")).isEqualTo("eu gpt-a b-end-user");
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_EndUserTable\" WHERE user_id = 'cust-capped'"))
                .isEqualTo(1.5);
        assertThat(text("SELECT budget_duration FROM \"LiteLLM_BudgetTable\" WHERE budget_id = 'b-end-user'"))
                .isEqualTo("1d");
        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_BudgetTable\"")).as("only end users' rows")
                .isEqualTo(1);
        assertThat(text("SELECT model_rpm_limit FROM \"LiteLLM_TeamTable\" WHERE team_id = 't1'"))
                .isEqualTo("{\"gpt-a\":5}");
        assertThat(text("SELECT models FROM \"LiteLLM_UserTable\" WHERE user_id = 'u1'")).isEqualTo("[\"gpt-a\"]");
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_TeamTable\" WHERE team_id = 't1'"))
                .isEqualTo(2.5);
    }

    @Test
    void shouldGiveTheSameResultWhenRunAgain() {
        List<String> first = dump();

        LiteLlmImportReport again = store.importLiteLlm(source.databaseUrl());

        assertThat(dump()).isEqualTo(first);
        assertThat(again).isEqualTo(report);
    }

    @Test
    void shouldRefuseASourceWithoutLiteLlmTables() {
        DatabaseUrl empty = new DatabaseUrl("jdbc:postgresql://127.0.0.1:5432/test?currentSchema=no_such_schema",
                "postgres", "");

        assertThatThrownBy(() -> store.importLiteLlm(empty)).isInstanceOf(StoreException.class)
                .hasMessageContaining("no LiteLLM tables");
    }

    private String text(String sql, Object... params) {
        try (Connection c = database.connect(); var s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as(sql).isTrue();
                return rs.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    private List<String> dump() {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\" ORDER BY 1, 2")) {
                    ResultSetMetaData meta = rs.getMetaData();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder(table);
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            row.append('|').append(rs.getString(i));
                        }
                        rows.add(row.toString());
                    }
                }
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        return rows;
    }
}
