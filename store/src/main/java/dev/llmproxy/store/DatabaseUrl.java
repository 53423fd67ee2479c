package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A database location as JDBC wants it: the URL without credentials, and the user and password apart.
 *
 * <p>LiteLLM users write {@code DATABASE_URL} / {@code general_settings.database_url} in the libpq form
 * {@code postgresql://user:password@host:port/db?sslmode=require} (also {@code postgres://}); {@link #parse(String)}
 * turns that into {@code jdbc:postgresql://host:port/db?sslmode=require} with the percent-decoded user and password.
 * A value that already starts with {@code jdbc:} is taken as it is. The password never appears in {@link #toString()}.
 *
 * @param jdbcUrl the JDBC URL, without user or password
 * @param user the user, or null to let the driver decide
 * @param password the password, or null
 */
public record DatabaseUrl(String jdbcUrl, @Nullable String user, @Nullable String password) {

    /** Validates the URL. */
    public DatabaseUrl {
        requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("jdbcUrl: " + jdbcUrl + " (expected: jdbc:...)");
        }
    }

    /**
     * Reads a LiteLLM-style {@code postgresql://} URL or a {@code jdbc:} URL.
     *
     * @throws IllegalArgumentException if the value is neither, or is not a valid URI; the message never contains
     *     the password
     */
    public static DatabaseUrl parse(String url) {
        requireNonNull(url, "url");
        String value = url.trim();
        if (value.startsWith("jdbc:")) {
            return new DatabaseUrl(value, null, null);
        }
        if (!value.startsWith("postgresql://") && !value.startsWith("postgres://")) {
            throw new IllegalArgumentException(
                    "database url: expected postgresql://user:password@host:port/db or jdbc:..., got scheme "
                            + scheme(value));
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("database url: not a valid URL (" + e.getReason() + ")");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("database url: no host");
        }
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://");
        String host = uri.getHost();
        jdbc.append(host);
        if (uri.getPort() != -1) {
            jdbc.append(':').append(uri.getPort());
        }
        String path = uri.getRawPath();
        jdbc.append(path == null || path.isEmpty() ? "/" : path);
        if (uri.getRawQuery() != null) {
            jdbc.append('?').append(uri.getRawQuery());
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        return new DatabaseUrl(jdbc.toString(), user, password);
    }

    /** Whether this URL points at PostgreSQL (as opposed to the embedded H2 database). */
    public boolean isPostgres() {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String scheme(String value) {
        int colon = value.indexOf(':');
        return colon < 0 ? "(none)" : value.substring(0, colon);
    }
}
