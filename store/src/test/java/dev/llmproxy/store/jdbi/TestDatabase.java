package dev.llmproxy.store.jdbi;

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
 * A fresh, empty database for one test or test class: a new schema in the real PostgreSQL on 127.0.0.1:5432
 * (database {@code test}, user {@code postgres}, trust auth), or a new embedded H2 file. A missing PostgreSQL fails
 * the test loudly; nothing is skipped.
 */
abstract class TestDatabase implements AutoCloseable {

    /** The store configuration for this database. */
    abstract StoreConfig config();

    /** A direct connection for assertions, bypassing the store. */
    abstract Connection connect() throws SQLException;

    /** Which database this is, for test names. */
    abstract String kind();

    @Override
    public abstract void close();

    /** The first column of every row of a query. */
    java.util.List<String> queryStrings(String sql) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            java.util.List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new AssertionError("query failed: " + sql, e);
        }
    }

    /** A single long from a query with one row and one column. */
    long queryLong(String sql, Object... params) {
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

    /** A single double from a query with one row and one column. */
    double queryDouble(String sql, Object... params) {
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

    /** A single string from a query with one row and one column. */
    String queryString(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new AssertionError("query failed: " + sql, e);
        }
    }

    static TestDatabase postgres() {
        return new Postgres();
    }

    static TestDatabase h2(Path directory) {
        return new H2(directory.resolve("llmproxy-test"));
    }

    /** A new schema in the test PostgreSQL, dropped on close. */
    static final class Postgres extends TestDatabase {
        static final String HOST = "127.0.0.1";
        static final int PORT = 5432;
        static final String DATABASE = "test";
        static final String USER = "postgres";

        private final String schema = "llmproxy_test_" + UUID.randomUUID().toString().replace("-", "");

        Postgres() {
            try (Connection c = DriverManager.getConnection(url(PORT, null), USER, "");
                    Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            } catch (SQLException e) {
                throw new AssertionError("The store tests need PostgreSQL on " + HOST + ":" + PORT + " (database "
                        + DATABASE + ", user " + USER + ", trust auth); it is not reachable", e);
            }
        }

        @Override
        StoreConfig config() {
            return configVia(PORT);
        }

        /** The configuration reaching this schema through another port (a forwarder the test controls). */
        StoreConfig configVia(int port) {
            return StoreConfig.database(new DatabaseUrl(url(port, schema), USER, ""));
        }

        @Override
        Connection connect() throws SQLException {
            return DriverManager.getConnection(url(PORT, schema), USER, "");
        }

        @Override
        String kind() {
            return "postgres";
        }

        @Override
        public void close() {
            try (Connection c = DriverManager.getConnection(url(PORT, null), USER, "");
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                throw new AssertionError("could not drop test schema " + schema, e);
            }
        }

        private static String url(int port, String schemaName) {
            String base = "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
            return schemaName == null ? base : base + "?currentSchema=" + schemaName;
        }
    }

    /** A new embedded H2 file, as the proxy uses it without a database_url. */
    static final class H2 extends TestDatabase {
        private final StoreConfig config;

        H2(Path path) {
            this.config = StoreConfig.embedded(path);
        }

        @Override
        StoreConfig config() {
            return config;
        }

        @Override
        Connection connect() throws SQLException {
            return DriverManager.getConnection(DataSources.embeddedUrl(config), "sa", "");
        }

        @Override
        String kind() {
            return "h2";
        }

        @Override
        public void close() {
            // The file lives in the test's temporary directory, which JUnit deletes.
        }
    }
}
