package dev.llmproxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** LiteLLM's duration grammar and its two readings (spec section 3.6). */
class BudgetDurationTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    /** A Wednesday. */
    private static final Instant NOW = Instant.parse("2026-01-14T13:20:45.500Z");

    @Test
    void shouldParseEveryUnitAndTheWaysOfSayingNone() {
        assertThat(BudgetDuration.parse("30s")).contains(new BudgetDuration(30, BudgetDuration.Unit.SECONDS));
        assertThat(BudgetDuration.parse("15m")).contains(new BudgetDuration(15, BudgetDuration.Unit.MINUTES));
        assertThat(BudgetDuration.parse(" 6H ")).contains(new BudgetDuration(6, BudgetDuration.Unit.HOURS));
        assertThat(BudgetDuration.parse("30d")).contains(new BudgetDuration(30, BudgetDuration.Unit.DAYS));
        assertThat(BudgetDuration.parse("2w")).contains(new BudgetDuration(2, BudgetDuration.Unit.WEEKS));
        assertThat(BudgetDuration.parse("1mo")).contains(new BudgetDuration(1, BudgetDuration.Unit.MONTHS));
        assertThat(BudgetDuration.parse(null)).isEmpty();
        assertThat(BudgetDuration.parse("")).isEmpty();
        assertThat(BudgetDuration.parse("None")).isEmpty();
        assertThat(BudgetDuration.parse("null")).isEmpty();
        assertThat(BudgetDuration.parse("1mo").orElseThrow()).hasToString("1mo");
    }

    @Test
    void shouldRejectBareNumbersAndUnknownUnits() {
        for (String bad : new String[] {"30", "d", "30y", "3.5d", "-1d", "1 d"}) {
            assertThatThrownBy(() -> BudgetDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldExpireExactlyThatLongAfterNow() {
        assertThat(duration("30s").after(NOW, UTC)).isEqualTo(NOW.plusSeconds(30));
        assertThat(duration("2h").after(NOW, UTC)).isEqualTo(NOW.plusSeconds(7200));
        assertThat(duration("1w").after(NOW, UTC)).isEqualTo(Instant.parse("2026-01-21T13:20:45.500Z"));
        assertThat(duration("1mo").after(Instant.parse("2026-01-31T10:00:00Z"), UTC))
                .isEqualTo(Instant.parse("2026-02-28T10:00:00Z"));
    }

    @Test
    void shouldResetOnCalendarBoundariesAsLiteLlm() {
        assertThat(duration("1d").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-01-15T00:00:00Z"));
        assertThat(duration("7d").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-01-19T00:00:00Z"));
        assertThat(duration("1w").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-01-19T00:00:00Z"));
        assertThat(duration("30d").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(duration("1mo").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(duration("3d").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-01-17T00:00:00Z"));
        assertThat(duration("6h").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-01-14T18:00:00Z"));
        assertThat(duration("5h").nextReset(Instant.parse("2026-01-14T21:30:00Z"), UTC))
                .isEqualTo(Instant.parse("2026-01-15T00:00:00Z"));
        assertThat(duration("1h").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-01-14T14:00:00Z"));
        assertThat(duration("15m").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-01-14T13:30:00Z"));
        assertThat(duration("30s").nextReset(NOW, UTC)).isEqualTo(Instant.parse("2026-01-14T13:21:00Z"));
        assertThat(duration("0d").nextReset(NOW, UTC)).isEqualTo(NOW);
    }

    @Test
    void shouldResetStrictlyAfterABoundaryItFallsOn() {
        Instant sixOClock = Instant.parse("2026-01-14T18:00:00Z");
        assertThat(duration("6h").nextReset(sixOClock, UTC)).isEqualTo(Instant.parse("2026-01-15T00:00:00Z"));
        Instant monday = Instant.parse("2026-01-19T00:00:00Z");
        assertThat(duration("1w").nextReset(monday, UTC)).isEqualTo(Instant.parse("2026-01-26T00:00:00Z"));
    }

    @Test
    void shouldResetInTheConfiguredTimezone() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        assertThat(duration("1d").nextReset(NOW, berlin)).isEqualTo(Instant.parse("2026-01-14T23:00:00Z"));
    }

    @Test
    void shouldRejectMonthCountsOtherThanOneForResets() {
        assertThatThrownBy(() -> duration("2mo").nextReset(NOW, UTC)).isInstanceOf(IllegalArgumentException.class);
    }

    private static BudgetDuration duration(String text) {
        return BudgetDuration.parse(text).orElseThrow();
    }
}
