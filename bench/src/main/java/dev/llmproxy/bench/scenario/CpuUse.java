package dev.llmproxy.bench.scenario;

import org.jspecify.annotations.Nullable;

/** A measured run with the CPU time the target's own process used over it, when the target has a process. */
interface CpuUse {

    /** CPU seconds of the target's process over the measured window; null when unknown. */
    @Nullable Double cpuSeconds();

    /** Requests that completed in the measured window. */
    long completedRequests();

    /** CPU seconds per 10,000 completed requests; NaN if unknown or nothing completed. */
    default double cpuSecondsPer10k() {
        Double cpu = cpuSeconds();
        long completed = completedRequests();
        return cpu == null || completed == 0 ? Double.NaN : cpu / completed * 10_000;
    }

    /** The CPU time as a number; NaN if unknown. */
    default double cpuSecondsOrNaN() {
        Double cpu = cpuSeconds();
        return cpu == null ? Double.NaN : cpu;
    }
}
