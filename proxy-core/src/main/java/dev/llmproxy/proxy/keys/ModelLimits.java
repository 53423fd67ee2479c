package dev.llmproxy.proxy.keys;

import dev.llmproxy.limiter.LimitSet;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.limiter.LimitSpec;
import dev.llmproxy.limiter.LocalLimitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The per-model limits of a key or a team ({@code model_rpm_limit}, {@code model_tpm_limit}): one limit set per model
 * name, found by the name the client asked for. A new version of the key or team keeps the sets whose limits did not
 * change, so a refresh does not forgive calls already counted.
 *
 * <p>Thread-safety: immutable; the limit sets are thread-safe. {@link #get} allocates nothing.
 */
final class ModelLimits {
    static final ModelLimits NONE = new ModelLimits(Map.of());

    private final Map<String, LimitSet> byModel;

    private ModelLimits(Map<String, LimitSet> byModel) {
        this.byModel = byModel;
    }

    /** The limits of {@code rpm} and {@code tpm} (model name to limit), reusing the unchanged sets of {@code previous}. */
    static ModelLimits of(Map<String, Long> rpm, Map<String, Long> tpm, @Nullable ModelLimits previous) {
        if (rpm.isEmpty() && tpm.isEmpty()) {
            return NONE;
        }
        Set<String> models = new HashSet<>(rpm.keySet());
        models.addAll(tpm.keySet());
        Map<String, LimitSet> sets = new HashMap<>();
        for (String model : models) {
            LimitSpec spec = CachedKey.limitSpec(rpm.get(model), tpm.get(model), null);
            if (spec == null) {
                continue;
            }
            LimitSet old = previous == null ? null : previous.byModel.get(model);
            sets.put(model, old != null && old.spec().equals(spec) ? old : new LocalLimitSet(spec));
        }
        return new ModelLimits(Map.copyOf(sets));
    }

    /** The limit set of {@code model}, or null when it has none. */
    @Nullable LimitSet get(String model) {
        return byModel.get(model);
    }

    boolean isEmpty() {
        return byModel.isEmpty();
    }

    /** Tells {@code quotas} what each model's set has left of its minute limits at {@code nowMillis}. */
    void quotas(long nowMillis, KeyGrant.ModelQuotas quotas) {
        for (Map.Entry<String, LimitSet> entry : byModel.entrySet()) {
            LimitSet set = entry.getValue();
            LimitSpec spec = set.spec();
            long rpm = spec.requestsPerMinute();
            long tpm = spec.tokensPerMinute();
            long none = KeyGrant.ModelQuotas.NONE;
            quotas.quota(entry.getKey(),
                    rpm == LimitSpec.NONE ? none : Math.max(0, rpm - set.minuteRequests(nowMillis)),
                    tpm == LimitSpec.NONE ? none : Math.max(0, tpm - set.minuteTokens(nowMillis)));
        }
    }
}
