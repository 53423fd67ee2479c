package dev.llmproxy.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.SpendWriter;
import dev.llmproxy.store.SpendWriterConfig;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Stores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away while spend records keep coming: the store's pool reaches the database through a
 * {@link TcpForwarder} that the test cuts and restores. Every record must end up in the database exactly once, with
 * exact totals.
 */
class PostgresSpendOutageTest {
    @TempDir
    Path tempDir;

    TestDatabase.Postgres db;
    TcpForwarder forwarder;
    Store store;

    @BeforeEach
    void open() throws Exception {
        db = (TestDatabase.Postgres) TestDatabase.postgres();
        forwarder = new TcpForwarder(TestDatabase.Postgres.HOST, TestDatabase.Postgres.PORT);
        store = Stores.open(db.configVia(forwarder.port()).withConnectionTimeoutMillis(500).withPoolSize(4));
        SpendFixture.create(store);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        forwarder.close();
        db.close();
    }

    private SpendWriterConfig config() {
        return SpendWriterConfig.of(tempDir.resolve("journal"), 1)
                .withBatchIntervalMillis(50)
                .withRetryMillis(20, 200)
                .withBatchSize(50, 400);
    }

    @Test
    void shouldWriteEveryRecordExactlyOnceWhenDatabaseGoesAwayWhileRecordsKeepComing() throws Exception {
        Semaphore allowed = new Semaphore(0);
        AtomicInteger submitted = new AtomicInteger();
        Queue<SpendRecord> accepted = new ConcurrentLinkedQueue<>();
        SpendWriter writer = store.openSpendWriter(config());
        Thread producer = new Thread(() -> {
            for (int i = 0; i < 5000; i++) {
                allowed.acquireUninterruptibly();
                // Every 10th record repeats an earlier request id, as a client retry with the same id would.
                boolean repeat = i % 10 == 9;
                SpendRecord r = SpendFixture.record("outage", repeat ? i - 5 : i);
                if (writer.submit(r) && !repeat) {
                    accepted.add(r);
                }
                submitted.incrementAndGet();
            }
        }, "producer");
        producer.start();

        allowed.release(1000);
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().inserted() >= 500);

        forwarder.cut();
        long failedBefore = writer.stats().failedBatches();
        allowed.release(2000);
        await().atMost(Duration.ofSeconds(30)).until(() -> submitted.get() == 3000);
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().failedBatches() >= failedBefore + 3);
        allowed.release(1000);
        await().atMost(Duration.ofSeconds(30)).until(() -> submitted.get() == 4000);
        assertThat(writer.stats().pendingSegments()).isPositive();

        forwarder.restore();
        allowed.release(1000);
        producer.join();
        writer.flush().get(60, TimeUnit.SECONDS);
        writer.close();

        assertThat(submitted.get()).isEqualTo(5000);
        assertThat(writer.stats().accepted()).isEqualTo(5000);
        // Rows of a segment committed before the cut are found again when the segment is retried, and so are the
        // rows of a commit that reached the database just as the cut lost its answer: those count as duplicates, not
        // inserts. So the counters only bound each other; the database check below is the exact one.
        assertThat(writer.stats().inserted()).isLessThanOrEqualTo(4500);
        assertThat(writer.stats().inserted() + writer.stats().duplicates()).isGreaterThanOrEqualTo(5000);
        assertThat(writer.stats().duplicates()).isGreaterThanOrEqualTo(500);
        assertThat(writer.stats().pendingSegments()).isZero();
        SpendFixture.assertDatabaseHolds(db, accepted);
    }

    @Test
    void shouldKeepRecordsInTheJournalWhenClosedWhileDatabaseIsDownAndWriteThemNextStart() throws Exception {
        List<SpendRecord> records = new ArrayList<>();
        forwarder.cut();
        SpendWriter writer = store.openSpendWriter(config().withCloseTimeoutMillis(300));
        for (int i = 0; i < 200; i++) {
            SpendRecord r = SpendFixture.record("down", i);
            records.add(r);
            assertThat(writer.submit(r)).isTrue();
        }
        writer.close();
        assertThat(writer.stats().inserted()).isZero();
        assertThat(writer.stats().pendingSegments()).isPositive();

        forwarder.restore();
        try (SpendWriter next = store.openSpendWriter(config())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> next.stats().pendingSegments() == 0);
            assertThat(next.stats().inserted()).isEqualTo(200);
        }
        SpendFixture.assertDatabaseHolds(db, records);
    }
}
