package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.DatabaseUrl;
import dev.llmproxy.store.StoreChange;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes between instances sharing a PostgreSQL database, over {@code LISTEN/NOTIFY}: every write or deletion of a
 * key, user, team or end user through this store notifies channel {@value #CHANNEL} once it has committed, and
 * {@link #listen} delivers what other instances (and this one) notify to a listener, on a thread of its own holding
 * one connection outside the pool. The payload of a key is its hash alone (as versions that knew only keys sent it);
 * any other is {@code <kind>:<id>} ({@link StoreChange.Kind#wireName()}), which no hash contains. A payload of a kind
 * this version does not know is ignored.
 *
 * <p>Best effort by design: a notification is lost if the listening connection is down when it is sent (the thread
 * reconnects with a back-off of 1 s doubling to 30 s), or if publishing it fails after the write committed. The key
 * cache therefore also reads changed rows and {@link Deletions} every second; notifications only make the common case
 * immediate.
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
        publish(jdbi, StoreChange.Kind.KEY, tokens);
    }

    /** Notifies the rows of one kind that changed; failures are logged (the periodic refresh covers them). */
    void publish(Jdbi jdbi, StoreChange.Kind kind, Collection<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try {
            jdbi.useHandle(h -> {
                for (String id : ids) {
                    h.createQuery("SELECT 1 FROM (SELECT pg_notify(:channel, :payload)) AS n")
                            .bind("channel", CHANNEL)
                            .bind("payload", kind == StoreChange.Kind.KEY ? id : kind.wireName() + ":" + id)
                            .mapTo(Integer.class)
                            .one();
                }
            });
        } catch (RuntimeException e) {
            log.debug("Change notification failed; other instances see the change at their next refresh", e);
        }
    }

    /** Notifies {@code ids} when there is a notifier ({@code changes} is null on the embedded database); returns them. */
    static List<String> publish(@Nullable KeyChanges changes, Jdbi jdbi, StoreChange.Kind kind, List<String> ids) {
        if (changes != null) {
            changes.publish(jdbi, kind, ids);
        }
        return ids;
    }

    /** The change a payload names, or null when it names a kind this version does not know. */
    static @Nullable StoreChange parse(String payload) {
        int colon = payload.indexOf(':');
        if (colon < 0) {
            return new StoreChange(StoreChange.Kind.KEY, payload);
        }
        StoreChange.Kind kind = StoreChange.Kind.ofWireName(payload.substring(0, colon));
        return kind == null ? null : new StoreChange(kind, payload.substring(colon + 1));
    }

    /**
     * Starts delivering notified changes to {@code listener} until the returned handle is closed. Waits up to
     * {@link #START_TIMEOUT_MILLIS} for the first {@code LISTEN}, so that changes made after this returns are heard.
     */
    AutoCloseable listen(Consumer<StoreChange> listener) {
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
        private final Consumer<StoreChange> listener;
        /** Counted down once the first LISTEN is in place. */
        final CountDownLatch listening = new CountDownLatch(1);
        /** Set by {@link #close()} on any thread; read by the listening thread. */
        private volatile boolean closed;
        private Thread thread = Thread.currentThread();

        Listener(Consumer<StoreChange> listener) {
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

        private void deliver(String payload) {
            StoreChange change = parse(payload);
            if (change == null) {
                return;
            }
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                log.warn("Change listener failed for one change", e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join(2 * POLL_MILLIS + 1_000);
        }
    }
}
