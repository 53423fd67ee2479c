package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * LiteLLM's durations ({@code budget_duration}, key {@code duration}): digits and a unit, {@code s}, {@code m},
 * {@code h}, {@code d}, {@code w} or {@code mo} ({@code 30s}, {@code 1h}, {@code 30d}, {@code 1mo}). Immutable.
 *
 * <p>Two readings, as LiteLLM has them (see {@code ../shared/spec/store.md} section 3.6):
 * <ul>
 *   <li>{@link #after(Instant, ZoneId)}, for a key's expiry: exactly that long after now; {@code Nmo} is the same day
 *       of the month N months later, clamped to the month's last day.
 *   <li>{@link #nextReset(Instant, ZoneId)}, for a budget reset: the next calendar boundary, so that budgets reset
 *       together ({@code 1d} at midnight, {@code 7d}/{@code 1w} on Monday, {@code 30d}/{@code 1mo} on the 1st, an
 *       {@code Nh} at the next hour divisible by N, and so on).
 * </ul>
 *
 * @param amount how many units, {@code >= 0}
 * @param unit the unit
 */
public record BudgetDuration(long amount, Unit unit) {

    /** Validates the duration. */
    public BudgetDuration {
        requireNonNull(unit, "unit");
        if (amount < 0) {
            throw new IllegalArgumentException("amount: " + amount + " (expected: >= 0)");
        }
    }

    /**
     * Reads a duration; null, blank, {@code none} and {@code null} mean "no duration".
     *
     * @throws IllegalArgumentException if the text is neither a duration nor one of those (a bare number included)
     */
    public static Optional<BudgetDuration> parse(@Nullable String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("none") || s.equals("null")) {
            return Optional.empty();
        }
        int digits = 0;
        while (digits < s.length() && Character.isDigit(s.charAt(digits))) {
            digits++;
        }
        if (digits == 0 || digits > 12) {
            throw new IllegalArgumentException("duration: \"" + text + "\" (expected: digits and s, m, h, d, w or mo)");
        }
        Unit unit = switch (s.substring(digits)) {
            case "s" -> Unit.SECONDS;
            case "m" -> Unit.MINUTES;
            case "h" -> Unit.HOURS;
            case "d" -> Unit.DAYS;
            case "w" -> Unit.WEEKS;
            case "mo" -> Unit.MONTHS;
            default -> throw new IllegalArgumentException(
                    "duration: \"" + text + "\" (expected: digits and s, m, h, d, w or mo)");
        };
        return Optional.of(new BudgetDuration(Long.parseLong(s.substring(0, digits)), unit));
    }

    /** The instant exactly this long after {@code now} (a key's {@code expires}). */
    public Instant after(Instant now, ZoneId zone) {
        return switch (unit) {
            case SECONDS -> now.plusSeconds(amount);
            case MINUTES -> now.plus(amount, ChronoUnit.MINUTES);
            case HOURS -> now.plus(amount, ChronoUnit.HOURS);
            case DAYS -> now.plus(amount, ChronoUnit.DAYS);
            case WEEKS -> now.plus(amount * 7, ChronoUnit.DAYS);
            // plusMonths clamps the day to the target month's last day.
            case MONTHS -> now.atZone(zone).plusMonths(amount).toInstant();
        };
    }

    /**
     * When a budget with this duration resets next, after {@code now}, in {@code zone}
     * ({@code litellm_settings.timezone}, UTC by default). A zero duration resets now.
     *
     * @throws IllegalArgumentException for a month count other than 1, which LiteLLM rejects
     */
    public Instant nextReset(Instant now, ZoneId zone) {
        if (amount == 0) {
            return now;
        }
        ZonedDateTime t = now.atZone(zone);
        ZonedDateTime midnight = t.truncatedTo(ChronoUnit.DAYS);
        return switch (unit) {
            case SECONDS -> nextMultiple(t, ChronoUnit.SECONDS, ChronoField.SECOND_OF_MINUTE);
            case MINUTES -> nextMultiple(t, ChronoUnit.MINUTES, ChronoField.MINUTE_OF_HOUR);
            case HOURS -> nextMultiple(t, ChronoUnit.HOURS, ChronoField.HOUR_OF_DAY);
            case DAYS -> days(amount, t, midnight);
            case WEEKS -> days(amount * 7, t, midnight);
            case MONTHS -> {
                if (amount != 1) {
                    throw new IllegalArgumentException("budget_duration: " + amount + "mo (expected: 1mo)");
                }
                yield firstOfNextMonth(midnight);
            }
        };
    }

    @Override
    public String toString() {
        return amount + unit.suffix;
    }

    private static Instant days(long days, ZonedDateTime t, ZonedDateTime midnight) {
        if (days == 1) {
            return midnight.plusDays(1).toInstant();
        }
        if (days == 7) {
            return midnight.with(TemporalAdjusters.next(DayOfWeek.MONDAY)).toInstant();
        }
        if (days == 30) {
            return firstOfNextMonth(midnight);
        }
        return midnight.plusDays(days).toInstant();
    }

    private static Instant firstOfNextMonth(ZonedDateTime midnight) {
        return midnight.with(TemporalAdjusters.firstDayOfNextMonth()).toInstant();
    }

    /**
     * The first boundary of {@code step} after {@code now} whose {@code field} (second of the minute, minute of the
     * hour, hour of the day) is a multiple of the amount. Ends within one parent period: the parent's start has
     * field 0, a multiple of anything.
     */
    private Instant nextMultiple(ZonedDateTime now, ChronoUnit step, ChronoField field) {
        ZonedDateTime candidate = now.truncatedTo(step);
        do {
            candidate = candidate.plus(1, step);
        } while (candidate.get(field) % amount != 0);
        return candidate.toInstant();
    }

    /** The units LiteLLM accepts. */
    public enum Unit {
        SECONDS("s"),
        MINUTES("m"),
        HOURS("h"),
        DAYS("d"),
        WEEKS("w"),
        MONTHS("mo");

        private final String suffix;

        Unit(String suffix) {
            this.suffix = suffix;
        }
    }
}
