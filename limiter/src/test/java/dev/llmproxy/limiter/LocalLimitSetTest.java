package dev.llmproxy.limiter;

import static dev.llmproxy.limiter.LimitSpec.NONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** One limit set driven by a fake clock: window edges, days in a zone (DST included), all-or-nothing, tokens. */
class LocalLimitSetTest {
    private static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");
    /** 2026-12-01T16:00:00Z, the first millisecond of a minute. */
    private static final long MINUTE = Instant.parse("2026-12-01T16:00:00Z").toEpochMilli();

    @Test
    void shouldCountTheLastMillisecondOfAMinuteInThatMinuteAndResetOnTheFirstOfTheNext() {
        LimitSet set = new LocalLimitSet(spec(3, NONE, NONE, NONE));

        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(MINUTE + 1)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(MINUTE + 59_998)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(MINUTE + 59_999)).isEqualTo(1);
        assertThat(set.retryAfterMillis(MINUTE + 59_999)).isEqualTo(1);

        assertThat(set.retryAfterMillis(MINUTE + 60_000)).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(set.tryAcquire(MINUTE + 60_000)).isEqualTo(LimitSet.ADMITTED);
        }
        assertThat(set.tryAcquire(MINUTE + 60_000)).isEqualTo(60_000);
    }

    @Test
    void shouldReportTheRequestsAndTokensOfTheCurrentMinuteWithoutTakingAny() {
        LimitSet set = new LocalLimitSet(spec(5, 100, 50, 2));
        set.tryAcquire(MINUTE);
        set.tryAcquire(MINUTE + 1);
        set.release(MINUTE + 2, 30);

        assertThat(set.minuteRequests(MINUTE + 3)).isEqualTo(2);
        assertThat(set.minuteTokens(MINUTE + 3)).isEqualTo(30);
        assertThat(set.minuteRequests(MINUTE + 3)).as("reading takes nothing").isEqualTo(2);
        assertThat(set.minuteRequests(MINUTE + 60_000)).isZero();
        assertThat(set.minuteTokens(MINUTE + 60_000)).isZero();
        assertThat(new LocalLimitSet(spec(NONE, NONE, 5, NONE)).minuteRequests(MINUTE)).as("no rpm").isZero();
    }

    @Test
    void shouldStartFreshWhenMinutesWereSkipped() {
        LimitSet set = new LocalLimitSet(spec(1, NONE, NONE, NONE));
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);

        assertThat(set.tryAcquire(MINUTE + Duration.ofDays(3).toMillis() + 5)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(MINUTE + Duration.ofDays(3).toMillis() + 6)).isEqualTo(59_994);
    }

    @Test
    void shouldTakeNothingFromAnyLimitWhenOneLimitRefuses() {
        LimitSet set = new LocalLimitSet(spec(2, NONE, 5, 1));

        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);
        for (int i = 0; i < 10; i++) {
            // Refused by the parallel limit: neither the minute nor the day may count these.
            assertThat(set.tryAcquire(MINUTE + 1)).isEqualTo(LimitSet.PARALLEL_RETRY_MILLIS);
        }
        set.release(MINUTE + 2, 0);
        assertThat(set.tryAcquire(MINUTE + 3)).isEqualTo(LimitSet.ADMITTED);
        set.release(MINUTE + 4, 0);
        assertThat(set.tryAcquire(MINUTE + 5)).as("rpm 2 reached").isEqualTo(60_000 - 5);

        // Refused by rpm in the next minute too: the day counts only the admitted ones (2, then 2 more, then 1).
        long next = MINUTE + 60_000;
        for (int i = 0; i < 2; i++) {
            assertThat(set.tryAcquire(next)).isEqualTo(LimitSet.ADMITTED);
            set.release(next, 0);
        }
        assertThat(set.tryAcquire(next + 1)).isEqualTo(60_000 - 1);
        long fourth = MINUTE + 2 * 60_000L;
        assertThat(set.tryAcquire(fourth)).isEqualTo(LimitSet.ADMITTED);
        set.release(fourth, 0);
        long midnight = Instant.parse("2026-12-02T08:00:00Z").toEpochMilli();
        assertThat(set.tryAcquire(fourth + 1)).as("rpd 5 reached: wait for Pacific midnight").isEqualTo(midnight
                - fourth - 1);
    }

    @Test
    void shouldWaitForTheLatestResetWhenSeveralLimitsAreFull() {
        LimitSet set = new LocalLimitSet(spec(1, NONE, 1, 1));
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);

        long midnight = Instant.parse("2026-12-02T08:00:00Z").toEpochMilli();
        assertThat(set.tryAcquire(MINUTE + 10)).isEqualTo(midnight - MINUTE - 10);
    }

    @Test
    void shouldResetTheDayAtMidnightOfItsZoneOnTheShortDayOfDaylightSavingTime() {
        // 2026-03-08 in Los Angeles lasts 23 hours: 08:00Z to 07:00Z the next day.
        LimitSet set = new LocalLimitSet(new LimitSpec(NONE, NONE, 2, NONE, LOS_ANGELES));
        long dayStart = Instant.parse("2026-03-08T08:00:00Z").toEpochMilli();
        long nextDay = Instant.parse("2026-03-09T07:00:00Z").toEpochMilli();

        assertThat(set.tryAcquire(Instant.parse("2026-03-08T07:59:59.999Z").toEpochMilli()))
                .as("the last millisecond of March 7").isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(dayStart)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(dayStart + 1)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(dayStart + 2)).isEqualTo(Duration.ofHours(23).toMillis() - 2);
        assertThat(set.tryAcquire(nextDay - 1)).isEqualTo(1);

        assertThat(set.tryAcquire(nextDay)).isEqualTo(LimitSet.ADMITTED);
    }

    @Test
    void shouldResetTheDayAtMidnightOfItsZoneOnTheLongDayOfDaylightSavingTime() {
        // 2026-11-01 in Los Angeles lasts 25 hours: 07:00Z to 08:00Z the next day.
        LimitSet set = new LocalLimitSet(new LimitSpec(NONE, NONE, 1, NONE, LOS_ANGELES));
        long dayStart = Instant.parse("2026-11-01T07:00:00Z").toEpochMilli();
        long nextDay = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();

        assertThat(set.tryAcquire(dayStart)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(dayStart)).isEqualTo(Duration.ofHours(25).toMillis());
        assertThat(set.tryAcquire(Instant.parse("2026-11-02T07:59:59.999Z").toEpochMilli()))
                .as("23:59:59.999 PST, the day's last millisecond").isEqualTo(1);

        assertThat(set.tryAcquire(nextDay)).isEqualTo(LimitSet.ADMITTED);
    }

    @Test
    void shouldResetTheDayAtMidnightOfTheConfiguredZone() {
        LimitSet set = new LocalLimitSet(new LimitSpec(NONE, NONE, 1, NONE, ZoneOffset.UTC));
        assertThat(set.tryAcquire(Instant.parse("2026-12-01T23:59:59.999Z").toEpochMilli()))
                .isEqualTo(LimitSet.ADMITTED);

        assertThat(set.tryAcquire(Instant.parse("2026-12-02T00:00:00Z").toEpochMilli()))
                .isEqualTo(LimitSet.ADMITTED);
    }

    @Test
    void shouldChargeTokensWhenCallsEndAndRefuseOnceTheMinuteReachedItsLimit() {
        LimitSet set = new LocalLimitSet(spec(NONE, 100, NONE, NONE));

        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(MINUTE)).as("nothing is reserved at admission").isEqualTo(LimitSet.ADMITTED);
        set.release(MINUTE + 10, 60);
        assertThat(set.tryAcquire(MINUTE + 10)).as("60 of 100 charged").isEqualTo(LimitSet.ADMITTED);
        set.release(MINUTE + 20, 70);
        assertThat(set.tryAcquire(MINUTE + 20)).as("130 of 100").isEqualTo(60_000 - 20);
        set.release(MINUTE + 30, 0);

        assertThat(set.tryAcquire(MINUTE + 60_000)).isEqualTo(LimitSet.ADMITTED);
    }

    @Test
    void shouldChargeTokensToTheMinuteInWhichTheCallEnds() {
        LimitSet set = new LocalLimitSet(spec(NONE, 100, NONE, NONE));
        assertThat(set.tryAcquire(MINUTE + 59_999)).isEqualTo(LimitSet.ADMITTED);

        set.release(MINUTE + 60_500, 100);

        assertThat(set.tryAcquire(MINUTE + 60_501)).isEqualTo(60_000 - 501);
    }

    @Test
    void shouldSaturateInsteadOfOverflowingWhenTokensAreHuge() {
        LimitSet set = new LocalLimitSet(spec(NONE, Long.MAX_VALUE - 1, NONE, NONE));
        set.tryAcquire(MINUTE);
        set.tryAcquire(MINUTE);
        set.release(MINUTE, Long.MAX_VALUE - 5);
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);

        set.release(MINUTE, Long.MAX_VALUE);

        assertThat(set.tryAcquire(MINUTE)).isEqualTo(60_000);
    }

    @Test
    void shouldNeverHaveMoreCallsInFlightThanTheParallelLimit() {
        LimitSet set = new LocalLimitSet(spec(NONE, NONE, NONE, 2));

        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.PARALLEL_RETRY_MILLIS);
        set.release(MINUTE + Duration.ofDays(400).toMillis(), 5);
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);
        set.release(MINUTE, 0);
        set.release(MINUTE, 0);

        assertThatThrownBy(() -> set.release(MINUTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldCarryCallsInFlightAcrossWindows() {
        LimitSet set = new LocalLimitSet(spec(10, NONE, 100, 1));
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);

        assertThat(set.tryAcquire(MINUTE + Duration.ofDays(2).toMillis()))
                .isEqualTo(LimitSet.PARALLEL_RETRY_MILLIS);
        set.release(MINUTE + Duration.ofDays(2).toMillis(), 0);
        assertThat(set.tryAcquire(MINUTE + Duration.ofDays(2).toMillis())).isEqualTo(LimitSet.ADMITTED);
    }

    @Test
    void shouldKeepCountingWhenTheClockStepsBack() {
        LimitSet set = new LocalLimitSet(spec(1, NONE, NONE, NONE));
        assertThat(set.tryAcquire(MINUTE + 30_000)).isEqualTo(LimitSet.ADMITTED);

        assertThat(set.tryAcquire(MINUTE - 10_000)).as("the window is only left at its end").isEqualTo(70_000);
        assertThat(set.tryAcquire(MINUTE + 60_000)).isEqualTo(LimitSet.ADMITTED);
    }

    @Test
    void shouldTakeNothingWhenAskedForTheWait() {
        LimitSet set = new LocalLimitSet(spec(1, NONE, NONE, NONE));
        for (int i = 0; i < 5; i++) {
            assertThat(set.retryAfterMillis(MINUTE)).isZero();
        }
        assertThat(set.tryAcquire(MINUTE)).isEqualTo(LimitSet.ADMITTED);
        assertThat(set.retryAfterMillis(MINUTE + 1)).isEqualTo(59_999);
    }

    @Test
    void shouldRefuseEveryCallWhenALimitIsZero() {
        LimitSet set = new LocalLimitSet(spec(0, NONE, NONE, NONE));

        assertThat(set.tryAcquire(MINUTE + 5)).isEqualTo(59_995);
        assertThat(set.tryAcquire(MINUTE + 60_000)).isEqualTo(60_000);
    }

    @Test
    void shouldAdmitEverythingWhenUnlimited() {
        LimitSet set = LocalLimitStore.INSTANCE.create("d", LimitSpec.UNLIMITED);
        for (int i = 0; i < 1000; i++) {
            assertThat(set.tryAcquire(MINUTE + i * 1000L)).isEqualTo(LimitSet.ADMITTED);
        }
        set.release(MINUTE, 10);
        assertThat(set.retryAfterMillis(MINUTE)).isZero();
    }

    @Test
    void shouldRejectLimitsThatDoNotFitInOneWord() {
        assertThatThrownBy(() -> new LocalLimitSet(spec(1L << 40, NONE, 1L << 30, NONE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("63 bits");
        assertThat(new LocalLimitSet(spec((1L << 31) - 1, Long.MAX_VALUE, (1L << 31) - 1, 1)).tryAcquire(MINUTE))
                .isEqualTo(LimitSet.ADMITTED);
        assertThatThrownBy(() -> new LimitSpec(-2, NONE, NONE, NONE, ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> set(NONE).release(MINUTE, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static LimitSet set(long rpm) {
        return new LocalLimitSet(spec(rpm, NONE, NONE, NONE));
    }

    private static LimitSpec spec(long rpm, long tpm, long rpd, long parallel) {
        return new LimitSpec(rpm, tpm, rpd, parallel, LOS_ANGELES);
    }
}
