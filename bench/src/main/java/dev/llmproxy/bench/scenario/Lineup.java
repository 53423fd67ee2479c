package dev.llmproxy.bench.scenario;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The targets every scenario point is measured against: the mock directly, the proxy under test and, optionally,
 * nginx {@code proxy_pass} as the baseline a reverse proxy costs on this machine.
 *
 * <p>Thread-safety: immutable.
 */
public record Lineup(Target direct, Target proxy, @Nullable Target nginx) {

    /** Validates the lineup. */
    public Lineup {
        requireNonNull(direct, "direct");
        requireNonNull(proxy, "proxy");
    }

    /**
     * The order in which repeat {@code repeat} (from 0) visits the targets: direct, proxy, nginx on even repeats and
     * the reverse on odd ones, so that no target always runs first after the previous point (or last, when the
     * machine has warmed up most).
     */
    public List<Target> order(int repeat) {
        List<Target> order = new ArrayList<>(List.of(direct, proxy));
        if (nginx != null) {
            order.add(nginx);
        }
        if (repeat % 2 == 1) {
            Collections.reverse(order);
        }
        return List.copyOf(order);
    }
}
