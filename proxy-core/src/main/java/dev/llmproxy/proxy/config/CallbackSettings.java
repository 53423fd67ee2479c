package dev.llmproxy.proxy.config;

import dev.llmproxy.proxy.config.Nodes.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The logging and callback keys of {@code litellm_settings}: which integrations receive each request, and the log
 * format. Names are kept as written; which of them llmproxy implements is decided where they are used.
 *
 * @param callbacks {@code callbacks}: integrations told of successes and failures
 * @param successCallbacks {@code success_callback}: integrations told of successes only
 * @param failureCallbacks {@code failure_callback}: integrations told of failures only
 * @param jsonLogs {@code json_logs}: one JSON object per log line
 * @param turnOffMessageLogging {@code turn_off_message_logging}: never export message content (llmproxy never does)
 */
public record CallbackSettings(
        List<String> callbacks, List<String> successCallbacks, List<String> failureCallbacks, boolean jsonLogs,
        boolean turnOffMessageLogging) {

    /** The keys read here. */
    static final List<String> KEYS = List.of("callbacks", "success_callback", "failure_callback", "json_logs",
            "turn_off_message_logging");

    /** No key set. */
    public static final CallbackSettings DEFAULTS = new CallbackSettings(List.of(), List.of(), List.of(), false,
            false);

    public CallbackSettings {
        callbacks = List.copyOf(callbacks);
        successCallbacks = List.copyOf(successCallbacks);
        failureCallbacks = List.copyOf(failureCallbacks);
    }

    static CallbackSettings read(Nodes nodes, Map<String, Entry> settings) {
        Boolean json = nodes.bool(settings.get("json_logs"));
        Boolean noMessages = nodes.bool(settings.get("turn_off_message_logging"));
        return new CallbackSettings(names(nodes, settings.get("callbacks")),
                names(nodes, settings.get("success_callback")), names(nodes, settings.get("failure_callback")),
                json != null && json, noMessages != null && noMessages);
    }

    /** A list of callback names; LiteLLM also takes a single name written without brackets. */
    private static List<String> names(Nodes nodes, @Nullable Entry entry) {
        if (entry == null || Nodes.isNull(entry.value())) {
            return List.of();
        }
        List<Node> items = entry.value() instanceof ScalarNode
                ? List.of(entry.value())
                : nodes.sequence(entry.value(), entry.path());
        List<String> names = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String path = entry.path() + '[' + i + ']';
            Nodes.Scalar scalar = nodes.scalar(items.get(i), path);
            if (scalar.value() == null || scalar.text().isBlank()) {
                throw nodes.error(items.get(i), path, "expected a callback name such as otel or prometheus, got "
                        + "nothing");
            }
            names.add(scalar.text().trim());
        }
        return names;
    }
}
