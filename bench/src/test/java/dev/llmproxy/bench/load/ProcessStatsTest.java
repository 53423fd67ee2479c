package dev.llmproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {

    @Test
    void shouldParseUtimePlusStimeWhenCommandContainsSpacesAndParentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 2000 0 0 0 150 25 0 0 20 0 30 0 100 0 0";

        assertThat(ProcessStats.parseCpuTicks(stat)).isEqualTo(175);
    }

    @Test
    void shouldParseKilobytesWhenStatusHasTheKey() {
        String status = "Name:\tjava\nVmPeak:\t 9999 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 1000 kB\n";

        assertThat(ProcessStats.parseStatusKb(status, "VmHWM:")).isEqualTo(123_456);
        assertThat(ProcessStats.parseStatusKb(status, "VmRSS:")).isEqualTo(1_000);
    }

    @Test
    void shouldReadCpuAndPeakRssWhenReadingOwnPid() {
        ProcessStats stats = ProcessStats.of(ProcessHandle.current().pid());

        assertThat(stats.clockTicksPerSecond()).isPositive();
        assertThat(stats.cpuSeconds()).isPositive();
        // RSS first: the peak read afterwards covers it even if memory grows in between.
        long rss = stats.rssBytes();
        assertThat(stats.peakRssBytes()).isGreaterThan(16L << 20).isGreaterThanOrEqualTo(rss);
        assertThat(stats.allowedCpus()).isNotEmpty();
    }
}
