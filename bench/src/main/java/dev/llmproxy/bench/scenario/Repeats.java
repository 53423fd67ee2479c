package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * One target's results at one scenario point, one per repeat, in repeat order. Repeats of different targets at the
 * same point with the same index ran back to back, so they are compared pairwise ({@link #minus}).
 *
 * <p>Thread-safety: immutable if the results are.
 *
 * @param <R> the result type of one run
 */
public record Repeats<R>(List<R> runs) {

    /** Copies the list; at least one run. */
    public Repeats {
        runs = List.copyOf(runs);
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("runs: empty (expected: at least one)");
        }
    }

    /** A single run. */
    public static <R> Repeats<R> of(R run) {
        return new Repeats<>(List.of(run));
    }

    /** The median and range of {@code metric} across the runs. */
    public Spread stat(ToDoubleFunction<? super R> metric) {
        return Spread.of(runs.stream().mapToDouble(metric).toArray());
    }

    /**
     * The median and range of this run's metric minus the other target's metric in the same repeat: a paired
     * difference, so that a machine that gets slower between repeats moves both sides of each pair alike.
     *
     * @throws IllegalArgumentException if the repeat counts differ
     */
    public Spread minus(Repeats<? extends R> other, ToDoubleFunction<? super R> metric) {
        return paired(other, metric, false);
    }

    private Spread paired(Repeats<? extends R> other, ToDoubleFunction<? super R> metric, boolean ratio) {
        requireNonNull(other, "other");
        if (other.runs.size() != runs.size()) {
            throw new IllegalArgumentException("repeats: " + other.runs.size() + " (expected: " + runs.size() + ")");
        }
        double[] differences = new double[runs.size()];
        for (int i = 0; i < differences.length; i++) {
            double mine = metric.applyAsDouble(runs.get(i));
            double theirs = metric.applyAsDouble(other.runs.get(i));
            differences[i] = ratio ? mine / theirs : mine - theirs;
        }
        return Spread.of(differences);
    }

    /** The median and range of this run's metric over the other target's metric in the same repeat. */
    public Spread ratio(Repeats<? extends R> other, ToDoubleFunction<? super R> metric) {
        return paired(other, metric, true);
    }

    /** The sum of {@code metric} over all runs, for counts such as errors. */
    public long sum(ToLongFunction<? super R> metric) {
        return runs.stream().mapToLong(metric).sum();
    }

    /** The number of runs. */
    public int size() {
        return runs.size();
    }
}
