package dev.llmproxy.proxy.config;

import dev.llmproxy.proxy.config.Nodes.Entry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads {@link ReliabilitySettings} from the three sections that hold its keys. A key set in {@code router_settings}
 * wins over the same key in {@code litellm_settings}, as LiteLLM's router prefers its own arguments to the module
 * globals. Thread-safety: stateless.
 */
final class ReliabilitySettingsReader {

    /** The {@code router_settings} keys read here. */
    static final Set<String> ROUTER_KEYS = Set.of("num_retries", "retry_policy", "model_group_retry_policy",
            "retry_after", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "default_fallbacks",
            "max_fallbacks", "allowed_fails", "allowed_fails_policy", "cooldown_time", "disable_cooldowns");

    /** The {@code litellm_settings} keys read here. */
    static final Set<String> LITELLM_KEYS = Set.of("num_retries", "fallbacks", "context_window_fallbacks",
            "content_policy_fallbacks", "default_fallbacks", "allowed_fails", "cooldown_time", "disable_cooldowns");

    /** The {@code general_settings} keys read here. */
    static final Set<String> GENERAL_KEYS = Set.of("max_parallel_requests", "global_max_parallel_requests",
            "dangerously_allow_mock_testing_request_params", "expose_fallback_errors_to_caller");

    private final Nodes nodes;
    private final Map<String, Entry> router;
    private final Map<String, Entry> litellm;

    private ReliabilitySettingsReader(Nodes nodes, Map<String, Entry> router, Map<String, Entry> litellm) {
        this.nodes = nodes;
        this.router = router;
        this.litellm = litellm;
    }

    static ReliabilitySettings read(Nodes nodes, Map<String, Entry> router, Map<String, Entry> litellm,
            Map<String, Entry> general) {
        return new ReliabilitySettingsReader(nodes, router, litellm).read(general);
    }

    private ReliabilitySettings read(Map<String, Entry> general) {
        Long numRetries = nodes.count(either("num_retries"));
        Long maxFallbacks = nodes.count(router.get("max_fallbacks"));
        Long allowedFails = nodes.count(either("allowed_fails"));
        Double cooldown = nodes.nonNegativeNumber(either("cooldown_time"));
        Double retryAfter = nodes.nonNegativeNumber(router.get("retry_after"));
        Boolean disable = nodes.bool(either("disable_cooldowns"));
        return new ReliabilitySettings(
                numRetries == null ? null : clamp(numRetries),
                retryPolicy(router.get("retry_policy")),
                groupRetryPolicies(router.get("model_group_retry_policy")),
                retryAfter == null ? Duration.ZERO : seconds(retryAfter),
                fallbacks(either("fallbacks")),
                fallbacks(either("context_window_fallbacks")),
                fallbacks(either("content_policy_fallbacks")),
                groups(either("default_fallbacks")),
                maxFallbacks == null ? ReliabilitySettings.DEFAULT_MAX_FALLBACKS : clamp(maxFallbacks),
                allowedFails == null ? null : clamp(allowedFails),
                allowedFailsPolicy(router.get("allowed_fails_policy")),
                cooldown == null ? ReliabilitySettings.DEFAULT_COOLDOWN_TIME : seconds(cooldown),
                disable != null && disable,
                positive(general.get("max_parallel_requests")),
                positive(general.get("global_max_parallel_requests")),
                Boolean.TRUE.equals(nodes.bool(general.get("dangerously_allow_mock_testing_request_params"))),
                Boolean.TRUE.equals(nodes.bool(general.get("expose_fallback_errors_to_caller"))));
    }

    private @Nullable Entry either(String key) {
        Entry entry = router.get(key);
        return entry != null ? entry : litellm.get(key);
    }

    /** {@code [{group: [fallback, ...]}, ...]}; LiteLLM refuses an item that is not a one-key mapping. */
    private Map<String, List<String>> fallbacks(@Nullable Entry entry) {
        if (entry == null) {
            return Map.of();
        }
        Map<String, List<String>> fallbacks = new LinkedHashMap<>();
        List<Node> items = nodes.sequence(entry.value(), entry.path());
        for (int i = 0; i < items.size(); i++) {
            String path = entry.path() + '[' + i + ']';
            Map<String, Entry> item = nodes.mapping(items.get(i), path);
            if (item.size() != 1) {
                throw nodes.error(items.get(i), path, "expected one 'group: [fallback groups]' pair, got "
                        + item.size() + " keys");
            }
            Entry only = item.values().iterator().next();
            if (fallbacks.containsKey(only.key())) {
                throw nodes.error(only.keyNode(), only.path(), "fallbacks for this group are already listed");
            }
            fallbacks.put(only.key(), groups(only));
        }
        return Collections.unmodifiableMap(fallbacks);
    }

    /** A list of model group names, or one name. */
    private List<String> groups(@Nullable Entry entry) {
        if (entry == null || Nodes.isNull(entry.value())) {
            return List.of();
        }
        List<String> groups = new ArrayList<>();
        if (entry.value() instanceof SequenceNode) {
            List<Node> items = nodes.sequence(entry.value(), entry.path());
            for (int i = 0; i < items.size(); i++) {
                groups.add(name(items.get(i), entry.path() + '[' + i + ']'));
            }
        } else {
            groups.add(name(entry.value(), entry.path()));
        }
        return List.copyOf(groups);
    }

    private String name(Node node, String path) {
        Nodes.Scalar scalar = nodes.scalar(node, path);
        if (scalar.value() == null || scalar.text().isBlank()) {
            throw nodes.error(node, path, "expected a model group name, got nothing");
        }
        return scalar.text().strip();
    }

    private RetryPolicy retryPolicy(@Nullable Entry entry) {
        if (entry == null) {
            return RetryPolicy.NONE;
        }
        Integer[] values = counts(entry, RetryPolicy.KEYS);
        return new RetryPolicy(values[0], values[1], values[2], values[3], values[4], values[5]);
    }

    private Map<String, RetryPolicy> groupRetryPolicies(@Nullable Entry entry) {
        if (entry == null) {
            return Map.of();
        }
        Map<String, RetryPolicy> policies = new LinkedHashMap<>();
        for (Entry group : nodes.mapping(entry.value(), entry.path()).values()) {
            policies.put(group.key(), retryPolicy(group));
        }
        return policies;
    }

    private @Nullable AllowedFailsPolicy allowedFailsPolicy(@Nullable Entry entry) {
        if (entry == null || Nodes.isNull(entry.value())) {
            return null;
        }
        Integer[] v = counts(entry, AllowedFailsPolicy.KEYS);
        return new AllowedFailsPolicy(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    }

    /** The whole numbers of a mapping whose keys must be among {@code keys}, in the order of {@code keys}. */
    private Integer[] counts(Entry entry, List<String> keys) {
        Integer[] values = new Integer[keys.size()];
        for (Entry field : nodes.mapping(entry.value(), entry.path()).values()) {
            int index = keys.indexOf(field.key());
            if (index < 0) {
                throw nodes.error(field.keyNode(), field.path(),
                        "unknown key (expected one of: " + String.join(", ", keys) + ')');
            }
            Long count = nodes.count(field);
            values[index] = count == null ? null : clamp(count);
        }
        return values;
    }

    private @Nullable Long positive(@Nullable Entry entry) {
        Long count = nodes.count(entry);
        if (entry != null && count != null && count == 0) {
            throw nodes.error(entry.value(), entry.path(), "expected a whole number > 0, got 0");
        }
        return count;
    }

    private static int clamp(long count) {
        return (int) Math.min(count, Integer.MAX_VALUE);
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(Math.min(seconds, 1e9) * 1e9));
    }
}
