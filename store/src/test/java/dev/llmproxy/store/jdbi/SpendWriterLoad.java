package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.SpendWriter;
import dev.llmproxy.store.SpendWriterConfig;
import dev.llmproxy.store.SpendWriterStats;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Stores;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A load probe, not a test: submits spend records at a steady rate to a spend writer on the test PostgreSQL (a fresh
 * schema) and prints what it cost: {@code submit()} latency, the writer threads' CPU, and the database's transactions
 * and rows per transaction. Run it alone on the machine:
 *
 * <pre>
 * mvn -B -q -o -pl store test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp store/target/test-classes:store/target/classes:$(cat store/target/cp.txt) \
 *     dev.llmproxy.store.jdbi.SpendWriterLoad 2000 30 10
 * </pre>
 *
 * Arguments: records per second (2000), seconds (30), {@code proxy_batch_write_at} seconds (10).
 */
public final class SpendWriterLoad {
    private SpendWriterLoad() {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int batchWriteAt = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path journal = Files.createTempDirectory("spend-load");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (TestDatabase db = TestDatabase.postgres(); Store store = Stores.open(db.config())) {
            SpendFixture.create(store);
            long commitsBefore = commits(db);
            int total = rate * seconds;
            long[] submitNanos = new long[total];
            SpendWriter writer = store.openSpendWriter(SpendWriterConfig.of(journal, batchWriteAt));
            long start = System.nanoTime();
            long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
            for (int i = 0; i < total; i++) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long t0 = System.nanoTime();
                writer.submit(SpendFixture.record("load", i));
                submitNanos[i] = System.nanoTime() - t0;
            }
            long submitted = System.nanoTime();
            writer.flush().get(120, TimeUnit.SECONDS);
            long flushed = System.nanoTime();
            long cpuNanos = writerCpuNanos(threads);
            writer.close();
            long commits = commits(db) - commitsBefore;
            SpendWriterStats stats = writer.stats();
            Arrays.sort(submitNanos);
            double wallSeconds = (submitted - start) / 1e9;
            System.out.printf("records %d in %.1f s (%.0f/s), last flush %.0f ms after the last submit%n", total,
                    wallSeconds, total / wallSeconds, (flushed - submitted) / 1e6);
            System.out.printf("submit() ns: p50 %d, p99 %d, p99.9 %d, max %d%n", submitNanos[total / 2],
                    submitNanos[(int) (total * 0.99)], submitNanos[(int) (total * 0.999)], submitNanos[total - 1]);
            System.out.printf("writer threads CPU: %.1f ms total, %.1f us per record%n", cpuNanos / 1e6,
                    cpuNanos / 1e3 / total);
            System.out.printf("spend transactions: %d (%.2f/s), %.0f rows each; database commits of any kind: %d%n",
                    stats.committedBatches(), stats.committedBatches() / wallSeconds,
                    (double) stats.inserted() / Math.max(1, stats.committedBatches()), commits);
            System.out.println(stats);
        }
    }

    private static long commits(TestDatabase db) {
        // pg_stat_database is updated when a backend reports; force the report of this session's counters first.
        db.queryLong("SELECT count(*) FROM pg_stat_activity");
        return db.queryLong("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
    }

    private static long writerCpuNanos(ThreadMXBean threads) {
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("llmproxy-spend-")) {
                total += threads.getThreadCpuTime(t.getId());
            }
        }
        return total;
    }
}
