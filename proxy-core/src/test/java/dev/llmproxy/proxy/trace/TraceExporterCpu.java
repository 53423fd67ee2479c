package dev.llmproxy.proxy.trace;

import dev.llmproxy.proxy.call.CallRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The export path's CPU time per traced request, end to end (queue, encode, post to a local receiver): the exporter
 * thread's, plus that of any thread an HTTP client runs for it (the JDK's HttpClient, which llmproxy used before, has
 * a selector thread and an executor of its own), read from the JVM's thread CPU clocks:
 * {@code java -cp <test classpath> dev.llmproxy.proxy.trace.TraceExporterCpu [records]}. It offers records at about 50,000 per second in steps of 50 (the exporter fills batches of 512 as in
 * a busy proxy), waits for the last batch, then prints the exporter's CPU nanoseconds per record and the drops.
 */
public final class TraceExporterCpu {
    private TraceExporterCpu() {}

    /** The CPU time of the exporter thread and of the HTTP client's threads (the receiver's are not counted). */
    private static long exportCpuNanos(ThreadMXBean threads) {
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            String name = thread.getName();
            if (name.startsWith("llmproxy-trace") || name.startsWith("HttpClient")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        CallRecord record = CallTracerBenchmark.record();
        AtomicLong lost = new AtomicLong();
        try (OtlpReceiver receiver = OtlpReceiver.startDiscarding();
                CallTracer tracer = CallTracer.start(CallTracerBenchmark.settings(receiver),
                        CallTracerBenchmark.routes(), System::nanoTime, Clock.systemUTC(),
                        (name, count) -> lost.addAndGet(count))) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuBefore = exportCpuNanos(threads);
            for (int i = 0; i < records; i += 50) {
                for (int j = 0; j < 50; j++) {
                    tracer.onCallEnded(record);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            Thread.sleep(2000);
            long cpu = exportCpuNanos(threads) - cpuBefore;
            System.out.printf("records %d, lost %d, export CPU %.0f ns per record%n", records, lost.get(),
                    (double) cpu / (records - lost.get()));
        }
    }
}
