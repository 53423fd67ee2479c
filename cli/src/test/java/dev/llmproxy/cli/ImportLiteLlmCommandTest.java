package dev.llmproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.store.KeyHash;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code llmproxy import-litellm} against the test PostgreSQL on 127.0.0.1:5432: a schema holding the oldest LiteLLM
 * tables the import accepts (only the columns it requires) as the source, another schema as the target named by the
 * config's {@code database_url}.
 */
class ImportLiteLlmCommandTest {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";

    @TempDir
    Path dir;

    private final String source = "litellm_cli_src_" + UUID.randomUUID().toString().replace("-", "");
    private final String target = "litellm_cli_dst_" + UUID.randomUUID().toString().replace("-", "");
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void createSchemas() {
        execute(SERVER, "CREATE SCHEMA " + source + "; CREATE SCHEMA " + target);
    }

    @AfterEach
    void dropSchemas() {
        execute(SERVER, "DROP SCHEMA " + source + " CASCADE; DROP SCHEMA " + target + " CASCADE");
    }

    @Test
    void shouldImportAKeyFromAnOldLiteLlmSchemaAndPrintWhatItCopied() throws Exception {
        execute(SERVER + "?currentSchema=" + source, """
                CREATE TABLE "LiteLLM_UserTable" (user_id TEXT PRIMARY KEY, spend DOUBLE PRECISION NOT NULL DEFAULT 0,
                    models TEXT[], metadata JSONB DEFAULT '{}');
                CREATE TABLE "LiteLLM_TeamTable" (team_id TEXT PRIMARY KEY, spend DOUBLE PRECISION NOT NULL DEFAULT 0,
                    models TEXT[], metadata JSONB NOT NULL DEFAULT '{}',
                    members_with_roles JSONB NOT NULL DEFAULT '{}');
                CREATE TABLE "LiteLLM_VerificationToken" (token TEXT PRIMARY KEY,
                    spend DOUBLE PRECISION NOT NULL DEFAULT 0, models TEXT[], metadata JSONB NOT NULL DEFAULT '{}',
                    user_id TEXT, team_id TEXT, max_budget DOUBLE PRECISION);
                INSERT INTO "LiteLLM_VerificationToken" (token, spend, models, max_budget)
                VALUES ('%s', 1.25, '{gpt-4o}', 10);
                """.formatted(KeyHash.of("sk-from-litellm")));
        Path config = config();

        int status = run("import-litellm", "--from", "postgresql://postgres@127.0.0.1:5432/test?currentSchema="
                + source, "--config", config.toString());

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Imported from LiteLLM").contains("into PostgreSQL")
                .contains("keys: 1, users: 0, teams: 0, team memberships: 0, end users: 0, budgets: 0");
        try (Connection c = DriverManager.getConnection(SERVER + "?currentSchema=" + target, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT spend, models, max_budget FROM \"LiteLLM_VerificationToken\"")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getDouble(1)).isEqualTo(1.25);
            assertThat(rs.getString(2)).isEqualTo("[\"gpt-4o\"]");
            assertThat(rs.getDouble(3)).isEqualTo(10);
        }
    }

    @Test
    void shouldExitWithStoreErrorWhenTheSourceHasNoLiteLlmTables() throws IOException {
        int status = run("import-litellm", "--from", SERVER + "?user=postgres&currentSchema=" + source, "--config",
                config().toString());

        assertThat(status).isEqualTo(Main.EXIT_STORE);
        assertThat(err.toString()).contains("no LiteLLM tables");
    }

    @Test
    void shouldExitWithConfigErrorForAnUnreadableUrl() throws IOException {
        int status = run("import-litellm", "--from", "mysql://db/litellm", "--config", config().toString());

        assertThat(status).isEqualTo(Main.EXIT_CONFIG);
        assertThat(err.toString()).contains("llmproxy import-litellm:");
    }

    private Path config() throws IOException {
        return Files.writeString(dir.resolve("config.yaml"), """
                model_list:
                  - model_name: mock
                    litellm_params: {model: openai/mock, mock_response: hi}
                general_settings:
                  database_url: "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=%s&user=postgres"
                """.formatted(target));
    }

    private int run(String... args) {
        return new CommandLine(new Main(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true)))
                .execute(args);
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new AssertionError("This test needs PostgreSQL on 127.0.0.1:5432: " + e.getMessage(), e);
        }
    }
}
