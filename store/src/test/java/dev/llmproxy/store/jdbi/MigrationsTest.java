package dev.llmproxy.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Stores;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migrations create the schema on an empty database and are a no-op the second time, on both databases. */
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

    private static void assertMigratesOnceThenNoOp(TestDatabase db) {
        try (HikariDataSource ds = DataSources.create(db.config())) {
            assertThat(Migrations.migrate(ds)).isEqualTo(5);
            assertThat(Migrations.migrate(ds)).isZero();
        }
        for (String table : TABLES) {
            assertThat(db.queryLong("SELECT count(*) FROM information_schema.tables "
                            + "WHERE table_schema = CURRENT_SCHEMA AND table_name = ?", table))
                    .as(table)
                    .isEqualTo(1);
        }
        assertThat(db.queryString("SELECT max(version) FROM flyway_schema_history WHERE success")).isEqualTo("5");
        try (Store store = Stores.open(db.config())) {
            assertThat(store.isReachable()).isTrue();
        }
    }
}
