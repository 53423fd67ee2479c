package dev.llmproxy.proxy.keys;

import dev.llmproxy.store.DatabaseUrl;
import dev.llmproxy.store.StoreConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh database for one test class: a new schema in the real PostgreSQL on 127.0.0.1:5432 (database {@code test},
 * user {@code postgres}, trust auth), dropped on close, or a new embedded H2 file. A missing PostgreSQL fails the test
 * loudly; nothing is skipped.
 */
public abstract class TestDatabases implements AutoCloseable {
    static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";

    /** The store's configuration for this database. */
    public abstract StoreConfig config();

    /** A direct connection for assertions. */
    public abstract Connection connect() throws SQLException;

    @Override
    public abstract void close();

    /** A long from a one-row, one-column query. */
    public long queryLong(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError("query failed: " + sql, e);
        }
    }

    /** A double from a one-row, one-column query. */
    public double queryDouble(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        } catch (SQLException e) {
            throw new AssertionError("query failed: " + sql, e);
        }
    }

    /** A new schema in the test PostgreSQL. */
    public static TestDatabases postgres() {
        return new Postgres();
    }

    /** A new embedded H2 file in {@code directory}. */
    public static TestDatabases h2(Path directory) {
        return new H2(directory.resolve("llmproxy-test"));
    }

    private static final class Postgres extends TestDatabases {
        private final String schema = "llmproxy_keys_" + UUID.randomUUID().toString().replace("-", "");

        Postgres() {
            try (Connection c = DriverManager.getConnection(POSTGRES, "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            } catch (SQLException e) {
                throw new AssertionError("These tests need PostgreSQL on 127.0.0.1:5432 (database test, user "
                        + "postgres, trust auth); it is not reachable", e);
            }
        }

        @Override
        public StoreConfig config() {
            return StoreConfig.database(new DatabaseUrl(url(), "postgres", "")).withPoolSize(4);
        }

        @Override
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(url(), "postgres", "");
        }

        @Override
        public void close() {
            try (Connection c = DriverManager.getConnection(POSTGRES, "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            } catch (SQLException e) {
                throw new AssertionError("cannot drop schema " + schema, e);
            }
        }

        private String url() {
            return POSTGRES + "?currentSchema=" + schema;
        }
    }

    private static final class H2 extends TestDatabases {
        private final Path path;

        H2(Path path) {
            this.path = path;
        }

        @Override
        public StoreConfig config() {
            return StoreConfig.embedded(path).withPoolSize(4);
        }

        @Override
        public Connection connect() throws SQLException {
            return DriverManager.getConnection("jdbc:h2:file:" + path.toAbsolutePath()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH", "sa", "");
        }

        @Override
        public void close() {
            // The directory is the test's temporary directory, deleted by JUnit.
        }
    }
}
