package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key changes between instances sharing a PostgreSQL database, over {@code LISTEN/NOTIFY}: every key write through
 * this store notifies channel {@value #CHANNEL} with the key's hash once it has committed, and {@link #listen} delivers
 * the hashes other instances (and this one) notify to a listener, on a thread of its own holding one connection
 * outside the pool.
 *
 * <p>Best effort by design: a notification is lost if the listening connection is down when it is sent (the thread
 * reconnects with a back-off of 1 s doubling to 30 s), or if publishing it fails after the write committed. The key
 * cache therefore also reads changed rows every second and compares the whole key list periodically; notifications
 * only make the common case immediate.
 *
 * <p>Thread-safety: thread-safe.
 */
final class KeyChanges {
    static final String CHANNEL = "llmproxy_key_changes";
    private static final Logger log = LoggerFactory.getLogger(KeyChanges.class);
    private static final int POLL_MILLIS = 500;
    private static final long START_TIMEOUT_MILLIS = 5_000;

    private final DatabaseUrl url;

    KeyChanges(DatabaseUrl url) {
        this.url = requireNonNull(url, "url");
    }

    private Properties credentials() {
        Properties properties = new Properties();
        String user = url.user();
        if (user != null) {
            properties.setProperty("user", user);
        }
        String password = url.password();
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "llmproxy-key-changes");
        return properties;
    }

    /** Notifies the hashes of keys that changed; failures are logged (the periodic refresh covers them). */
    void publish(Jdbi jdbi, List<String> tokens) {
        try {
            jdbi.useHandle(h -> {
                for (String token : tokens) {
                    h.createQuery("SELECT 1 FROM (SELECT pg_notify(:channel, :token)) AS n")
                            .bind("channel", CHANNEL)
                            .bind("token", token)
                            .mapTo(Integer.class)
                            .one();
                }
            });
        } catch (RuntimeException e) {
            log.debug("Key change notification failed; other instances see the change at their next refresh", e);
        }
    }

    /**
     * Starts delivering notified hashes to {@code listener} until the returned handle is closed. Waits up to
     * {@link #START_TIMEOUT_MILLIS} for the first {@code LISTEN}, so that changes made after this returns are heard.
     */
    AutoCloseable listen(Consumer<String> listener) {
        Listener running = new Listener(listener);
        Thread thread = new Thread(running, "llmproxy-key-changes");
        thread.setDaemon(true);
        running.thread = thread;
        thread.start();
        try {
            if (!running.listening.await(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                log.warn("Key change notifications are not listening yet; retrying in the background");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return running;
    }

    private final class Listener implements Runnable, AutoCloseable {
        private final Consumer<String> listener;
        /** Counted down once the first LISTEN is in place. */
        final CountDownLatch listening = new CountDownLatch(1);
        /** Set by {@link #close()} on any thread; read by the listening thread. */
        private volatile boolean closed;
        private Thread thread = Thread.currentThread();

        Listener(Consumer<String> listener) {
            this.listener = listener;
        }

        @Override
        public void run() {
            long backoffMillis = 1_000;
            while (!closed) {
                try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), credentials())) {
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("LISTEN " + CHANNEL);
                    }
                    PGConnection pg = connection.unwrap(PGConnection.class);
                    listening.countDown();
                    backoffMillis = 1_000;
                    while (!closed) {
                        PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                        if (notifications != null) {
                            for (PGNotification n : notifications) {
                                deliver(n.getParameter());
                            }
                        }
                    }
                } catch (SQLException e) {
                    if (closed) {
                        return;
                    }
                    log.warn("Key change notifications interrupted ({}); reconnecting in {} ms", e.toString(),
                            backoffMillis);
                    try {
                        TimeUnit.MILLISECONDS.sleep(backoffMillis);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                    backoffMillis = Math.min(30_000, backoffMillis * 2);
                }
            }
        }

        private void deliver(String token) {
            try {
                listener.accept(token);
            } catch (RuntimeException e) {
                log.warn("Key change listener failed for one key", e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join(2 * POLL_MILLIS + 1_000);
        }
    }
}
