package dev.llmproxy.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Stores;
import dev.llmproxy.store.Team;
import java.nio.file.Path;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migrations create the schema on an empty database and are a no-op the second time, on both databases; a later
 * version upgrades the rows an earlier one left.
 */
class MigrationsTest {
    private static final List<String> TABLES = List.of("LiteLLM_VerificationToken", "LiteLLM_UserTable",
            "LiteLLM_TeamTable", "LiteLLM_TeamMembership", "LiteLLM_SpendLogs", "llmproxy_spend_segments",
            "LiteLLM_BudgetTable", "LiteLLM_EndUserTable", "llmproxy_responses", "llmproxy_deletions");

    @TempDir
    Path tempDir;

    @Test
    void shouldMigrateEmptyPostgresAndRerunAsNoOp() {
        try (TestDatabase db = TestDatabase.postgres()) {
            assertMigratesOnceThenNoOp(db);
        }
    }

    @Test
    void shouldMigrateEmptyH2AndRerunAsNoOp() {
        try (TestDatabase db = TestDatabase.h2(tempDir)) {
            assertMigratesOnceThenNoOp(db);
        }
    }

    @Test
    void shouldReopenAnExistingEmbeddedDatabaseWithItsData() {
        try (TestDatabase db = TestDatabase.h2(tempDir)) {
            try (Store store = Stores.open(db.config())) {
                store.users().create(dev.llmproxy.store.User.builder("survivor").build());
            }
            try (Store store = Stores.open(db.config())) {
                assertThat(store.users().find("survivor")).isPresent();
            }
        }
    }

    @Test
    void shouldGiveResponsesKeptBeforeVersion6ThirtyDaysAndNoOwnerOnPostgres() {
        try (TestDatabase db = TestDatabase.postgres()) {
            assertKeptResponsesUpgrade(db);
        }
    }

    @Test
    void shouldGiveResponsesKeptBeforeVersion6ThirtyDaysAndNoOwnerOnH2() {
        try (TestDatabase db = TestDatabase.h2(tempDir)) {
            assertKeptResponsesUpgrade(db);
        }
    }

    @Test
    void shouldReadTeamsMadeBeforeVersion7AsTeamsWithoutMemberDefaultsOnPostgres() {
        try (TestDatabase db = TestDatabase.postgres()) {
            assertTeamsUpgrade(db);
        }
    }

    @Test
    void shouldReadTeamsMadeBeforeVersion7AsTeamsWithoutMemberDefaultsOnH2() {
        try (TestDatabase db = TestDatabase.h2(tempDir)) {
            assertTeamsUpgrade(db);
        }
    }

    private static void assertTeamsUpgrade(TestDatabase db) {
        try (HikariDataSource ds = DataSources.create(db.config())) {
            Flyway.configure().dataSource(ds).locations(Migrations.LOCATION).target("6").load().migrate();
            Jdbi.create(ds).useHandle(h -> h.execute("INSERT INTO \"LiteLLM_TeamTable\" (team_id, max_budget, "
                    + "created_at, updated_at) VALUES ('t-old', 5, TIMESTAMP '2026-01-02 03:04:05', "
                    + "TIMESTAMP '2026-01-02 03:04:05')"));

            assertThat(Migrations.migrate(ds)).isEqualTo(1);
        }
        try (Store store = Stores.open(db.config())) {
            Team team = store.teams().find("t-old").orElseThrow();
            assertThat(team.maxBudget()).isEqualTo(5.0);
            assertThat(team.teamMemberBudget()).isNull();
            assertThat(team.teamMemberBudgetDuration()).isNull();
            assertThat(team.teamMemberKeyDuration()).isNull();
            Team withDefaults = store.teams().update(team.toBuilder().teamMemberBudget(0.5)
                    .teamMemberBudgetDuration("1d").teamMemberKeyDuration("30d").build()).orElseThrow();
            assertThat(store.teams().find("t-old")).contains(withDefaults);
            assertThat(withDefaults.teamMemberBudget()).isEqualTo(0.5);
            assertThat(withDefaults.teamMemberKeyDuration()).isEqualTo("30d");
        }
    }

    private static void assertKeptResponsesUpgrade(TestDatabase db) {
        try (HikariDataSource ds = DataSources.create(db.config())) {
            Flyway.configure().dataSource(ds).locations(Migrations.LOCATION).target("5").load().migrate();
            Jdbi.create(ds).useHandle(h -> h.execute("INSERT INTO llmproxy_responses (response_id, model_group, "
                    + "input_items, response, created_at) VALUES ('resp_old', 'claude', '[]', '{}', "
                    + "TIMESTAMP '2026-01-02 03:04:05')"));

            assertThat(Migrations.migrate(ds)).as("versions 6 and 7").isEqualTo(2);
        }
        assertThat(db.queryString("SELECT CAST(expires_at AS VARCHAR(40)) FROM llmproxy_responses"))
                .startsWith("2026-02-01 03:04:05");
        assertThat(db.queryLong("SELECT count(*) FROM llmproxy_responses WHERE key_hash IS NULL AND user_id IS NULL "
                + "AND team_id IS NULL")).isEqualTo(1);
    }

    private static void assertMigratesOnceThenNoOp(TestDatabase db) {
        try (HikariDataSource ds = DataSources.create(db.config())) {
            assertThat(Migrations.migrate(ds)).isEqualTo(7);
            assertThat(Migrations.migrate(ds)).isZero();
        }
        for (String table : TABLES) {
            assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables "
                            + "WHERE table_schema = CURRENT_SCHEMA AND table_name = ?", table))
                    .as(table)
                    .isEqualTo(1);
        }
        assertThat(db.queryString("SELECT max(version) FROM flyway_schema_history WHERE success")).isEqualTo("7");
        try (Store store = Stores.open(db.config())) {
            assertThat(store.isReachable()).isTrue();
        }
    }
}
