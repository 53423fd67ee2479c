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

    @Test
    void shouldTellCompilerThreadsByTheirTruncatedNames() {
        assertThat(ProcessStats.isCompilerThread("C2 CompilerThre")).isTrue();
        assertThat(ProcessStats.isCompilerThread("C1 CompilerThre")).isTrue();
        assertThat(ProcessStats.isCompilerThread("VM Thread")).isFalse();
        assertThat(ProcessStats.isCompilerThread("epollEventLoopG")).isFalse();
    }

    @Test
    void shouldReadRunningNanosWhenParsingSchedstat() {
        assertThat(ProcessStats.parseRuntimeNanos("2371404710 7181612805 2014\n")).isEqualTo(2_371_404_710L);
    }

    @Test
    void shouldFindThisJvmsCompilerThreadsAndChargeLessThanAllWhenReadingOwnPid() {
        ProcessStats stats = ProcessStats.of(ProcessHandle.current().pid());

        ProcessStats.CpuReading before = stats.cpuReading();
        long sink = 0;
        for (int i = 0; i < 20_000_000; i++) {
            sink += Integer.toString(i).hashCode();
        }
        double serving = stats.servingCpuSecondsSince(before);
        ProcessStats.CpuReading after = stats.cpuReading();

        assertThat(sink).isNotZero();
        assertThat(before.compilerNanos()).isNotEmpty();
        assertThat(serving).isPositive().isLessThanOrEqualTo(after.cpuSeconds() - before.cpuSeconds() + 0.02);
    }
}
