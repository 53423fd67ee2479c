package dev.llmproxy.store.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.store.EndUser;
import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.SpendWriter;
import dev.llmproxy.store.SpendWriterConfig;
import dev.llmproxy.store.SpendWriterStats;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreException;
import dev.llmproxy.store.Stores;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every spend writer does, run against each database; a fresh database per test. */
abstract class AbstractSpendWriterTest {
    @TempDir
    Path tempDir;

    TestDatabase db;
    Store store;
    Path journalDir;

    abstract TestDatabase newDatabase(Path dir);

    @BeforeEach
    void open() {
        db = newDatabase(tempDir);
        store = Stores.open(db.config());
        SpendFixture.create(store);
        journalDir = tempDir.resolve("journal");
    }

    @AfterEach
    void close() {
        store.close();
        db.close();
    }

    /** Settings for tests: batches only when asked (flush, close), fast retries. */
    SpendWriterConfig config() {
        return SpendWriterConfig.of(journalDir, 3600).withRetryMillis(20, 200).withBatchSize(100, 1000);
    }

    @Test
    void shouldWriteEachRecordOnceAndAddSpendOnlyForNewRows() throws Exception {
        List<SpendRecord> expected = new ArrayList<>();
        try (SpendWriter writer = store.openSpendWriter(config())) {
            for (int i = 0; i < 300; i++) {
                SpendRecord r = SpendFixture.record("once", i);
                expected.add(r);
                assertThat(writer.submit(r)).isTrue();
            }
            for (int i = 0; i < 300; i += 6) {
                assertThat(writer.submit(SpendFixture.record("once", i))).isTrue();
            }
            writer.flush().get(30, TimeUnit.SECONDS);

            SpendWriterStats stats = writer.stats();
            assertThat(stats.accepted()).isEqualTo(350);
            assertThat(stats.inserted()).isEqualTo(300);
            assertThat(stats.duplicates()).isEqualTo(50);
            assertThat(stats.pendingSegments()).isZero();
        }
        SpendFixture.assertDatabaseHolds(db, expected);
        try (SpendWriter again = store.openSpendWriter(config())) {
            again.submit(SpendFixture.record("once", 7));
            again.flush().get(30, TimeUnit.SECONDS);
            assertThat(again.stats().duplicates()).isEqualTo(1);
        }
        SpendFixture.assertDatabaseHolds(db, expected);
    }

    @Test
    void shouldWriteNewRecordsOfALaterRunOnTheSameJournal() throws Exception {
        List<SpendRecord> expected = new ArrayList<>();
        for (String run : List.of("first-run", "second-run", "third-run")) {
            try (SpendWriter writer = store.openSpendWriter(config())) {
                for (int i = 0; i < 150; i++) {
                    SpendRecord r = SpendFixture.record(run, i);
                    expected.add(r);
                    assertThat(writer.submit(r)).isTrue();
                }
                writer.flush().get(30, TimeUnit.SECONDS);

                assertThat(writer.stats().inserted()).isEqualTo(150);
                assertThat(writer.stats().duplicates()).isZero();
            }
        }
        SpendFixture.assertDatabaseHolds(db, expected);
    }

    @Test
    void shouldStoreEveryColumnOfTheRecord() throws Exception {
        SpendRecord r = SpendFixture.record("columns", 6);
        try (SpendWriter writer = store.openSpendWriter(config())) {
            writer.submit(r);
            writer.flush().get(30, TimeUnit.SECONDS);
        }
        String where = " FROM \"LiteLLM_SpendLogs\" WHERE request_id = ?";
        assertThat(db.queryString("SELECT api_key" + where, r.requestId())).isEqualTo(r.apiKey());
        assertThat(db.queryString("SELECT model_id" + where, r.requestId())).isEqualTo("deployment-0");
        assertThat(db.queryString("SELECT \"user\"" + where, r.requestId())).isEqualTo(r.userId());
        assertThat(db.queryString("SELECT end_user" + where, r.requestId())).isEqualTo("end-user-2");
        assertThat(db.queryString("SELECT request_tags" + where, r.requestId())).isEqualTo("[\"batch\",\"t0\"]");
        assertThat(db.queryLong("SELECT request_duration_ms" + where, r.requestId())).isEqualTo(250);
        assertThat(db.queryLong("SELECT total_tokens" + where, r.requestId())).isEqualTo(13);
        assertThat(db.queryString("SELECT CAST(\"startTime\" AS VARCHAR)" + where, r.requestId()))
                .startsWith("2026-03-04 10:00:00.006");
        assertThat(db.queryString("SELECT status" + where, r.requestId())).isEqualTo("success");
    }

    @Test
    void shouldLoseNothingWhenClosedUnderLoad() throws Exception {
        int producers = 4;
        int maxPerProducer = 100_000;
        Queue<SpendRecord> accepted = new ConcurrentLinkedQueue<>();
        Queue<SpendRecord> refused = new ConcurrentLinkedQueue<>();
        SpendWriter writer = store.openSpendWriter(config().withQueueCapacity(64));
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * maxPerProducer;
            Thread t = new Thread(() -> {
                // Submits until the writer refuses: close() always lands while records are still coming.
                for (int i = base; i < base + maxPerProducer; i++) {
                    SpendRecord r = SpendFixture.record("load", i);
                    if (!writer.submit(r)) {
                        refused.add(r);
                        return;
                    }
                    accepted.add(r);
                }
            }, "producer-" + p);
            threads.add(t);
            t.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().accepted() >= 2000);

        writer.close();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(refused).as("every producer was still submitting when the writer closed").hasSize(producers);
        assertThat(writer.stats().accepted()).isEqualTo(accepted.size());
        assertThat(writer.stats().pendingSegments()).isZero();
        SpendFixture.assertDatabaseHolds(db, accepted);
    }

    @Test
    void shouldReplayJournalLeftByCrashedWriter() throws Exception {
        List<SpendRecord> first = new ArrayList<>();
        List<SpendRecord> second = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            first.add(SpendFixture.record("crash", i));
        }
        for (int i = 120; i < 170; i++) {
            second.add(SpendFixture.record("crash", i));
        }
        // The crashed run: one rolled segment, one current segment cut in the middle of a frame, and the first 30
        // records of the rolled segment committed just before the crash (their segment not yet deleted).
        SpendJournal journal = SpendJournal.open(journalDir);
        journal.append(first);
        List<Path> rolled = journal.rollAndListClosed();
        journal.append(second);
        journal.sync();
        journal.close();
        Path current = journal.rollAndListClosed().get(1);
        try (var channel = Files.newByteChannel(current, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.allocate(12).putInt(400).putInt(0xdeadbeef).putInt(42).flip());
        }
        new SpendBatchCommitter(JdbiAccess.jdbi(store)).commit(journal.segmentId(rolled.get(0)), 0,
                first.subList(0, 30), true);
        assertThat(rolled).hasSize(1);

        try (SpendWriter writer = store.openSpendWriter(config())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().pendingSegments() == 0);
            SpendWriterStats stats = writer.stats();
            assertThat(stats.inserted()).isEqualTo(140);
            assertThat(stats.duplicates()).isEqualTo(30);
            assertThat(stats.corrupt()).isEqualTo(1);
        }
        List<SpendRecord> all = new ArrayList<>(first);
        all.addAll(second);
        SpendFixture.assertDatabaseHolds(db, all);
        try (var files = Files.list(journalDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("journal.lock", "journal.id");
        }
    }

    @Test
    void shouldAddSpendExactlyOnceWithoutSpendLogRowsWhenLogsAreOff() throws Exception {
        List<SpendRecord> records = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            records.add(SpendFixture.record("nolog", i));
        }
        // A crashed run with spend logs off: one rolled segment whose first 30 records were committed (in batches
        // of another size than the next run's) just before the crash.
        SpendJournal journal = SpendJournal.open(journalDir);
        journal.append(records);
        Path rolled = journal.rollAndListClosed().get(0);
        journal.sync();
        journal.close();
        SpendBatchCommitter committer = new SpendBatchCommitter(JdbiAccess.jdbi(store));
        committer.commit(journal.segmentId(rolled), 0, records.subList(0, 20), false);
        committer.commit(journal.segmentId(rolled), 20, records.subList(20, 30), false);

        try (SpendWriter writer = store.openSpendWriter(config().withSpendLogs(false))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().pendingSegments() == 0);
            assertThat(writer.stats().inserted()).isEqualTo(220);
            assertThat(writer.stats().duplicates()).isEqualTo(30);
        }

        assertThat(db.queryStrings("SELECT request_id FROM \"LiteLLM_SpendLogs\"")).isEmpty();
        SpendFixture.assertTotals(db, records);
    }

    @Test
    void shouldAccrueSpendToEndUsersOnceCreatingTheirRows() throws Exception {
        String known = "known-end-user";
        store.endUsers().create(EndUser.of(known), null);
        try (SpendWriter writer = store.openSpendWriter(config())) {
            for (int i = 0; i < 10; i++) {
                String endUser = i % 2 == 0 ? known : "new-end-user";
                writer.submit(SpendRecord.builder("end-user-" + i).spend(0.25).startTime(SpendFixture.START)
                        .endTime(SpendFixture.START).endUser(endUser).build());
            }
            writer.submit(SpendRecord.builder("end-user-0").spend(0.25).startTime(SpendFixture.START)
                    .endTime(SpendFixture.START).endUser(known).build());
            writer.flush().get(30, TimeUnit.SECONDS);
        }

        assertThat(store.endUsers().find(known).orElseThrow().spend()).isEqualTo(1.25);
        EndUser created = store.endUsers().find("new-end-user").orElseThrow();
        assertThat(created.spend()).isEqualTo(1.25);
        assertThat(created.blocked()).isFalse();
        assertThat(created.isRestricted()).isFalse();
        assertThat(db.queryStrings("SELECT end_user FROM \"LiteLLM_SpendLogs\" WHERE request_id = 'end-user-1'"))
                .containsExactly("new-end-user");
    }

    @Test
    void shouldJournalOnTheCallerWhenTheQueueIsFull() throws Exception {
        JdbiSpendWriter writer = JdbiSpendWriter.create(JdbiAccess.jdbi(store), config().withQueueCapacity(2),
                System::nanoTime);
        List<SpendRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(SpendFixture.record("full", i));
            assertThat(writer.submit(records.get(i))).isTrue();
        }
        assertThat(writer.stats().journaledByCaller()).isEqualTo(3);

        writer.startThreads();
        writer.flush().get(30, TimeUnit.SECONDS);
        writer.close();

        assertThat(writer.stats().inserted()).isEqualTo(5);
        SpendFixture.assertDatabaseHolds(db, records);
    }

    @Test
    void shouldRefuseSecondWriterOnTheSameJournal() {
        try (SpendWriter writer = store.openSpendWriter(config())) {
            assertThatThrownBy(() -> store.openSpendWriter(config()))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("in use");
            assertThat(writer.submit(SpendFixture.record("second", 1))).isTrue();
        }
    }

    @Test
    void shouldRefuseRecordsAndFlushesAfterClose() throws IOException {
        SpendWriter writer = store.openSpendWriter(config());
        writer.close();
        writer.close();

        assertThat(writer.submit(SpendFixture.record("after", 1))).isFalse();
        assertThat(writer.stats().rejected()).isEqualTo(1);
        assertThatThrownBy(() -> writer.flush().get(1, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        SpendFixture.assertDatabaseHolds(db, List.of());
    }

    @Test
    void shouldCommitOnTheBatchIntervalWithoutBeingAsked() throws TimeoutException {
        try (SpendWriter writer = store.openSpendWriter(config().withBatchIntervalMillis(50))) {
            for (int i = 0; i < 20; i++) {
                writer.submit(SpendFixture.record("interval", i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.stats().inserted() == 20);
        }
    }
}
