package dev.llmproxy.proxy.config;

import dev.llmproxy.proxy.config.Nodes.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads {@code model_list} entries. */
final class ModelListReader {

    /** Entry keys read; a top-level rpm or tpm is copied into litellm_params, as LiteLLM does when it loads. */
    private static final Set<String> ENTRY_KEYS = Set.of("model_name", "litellm_params", "model_info", "rpm", "tpm");

    /** litellm_params keys that are read into {@link LitellmParams} and acted on. */
    private static final Set<String> USED_PARAMS = Set.of(
            "model", "api_key", "api_base", "api_version", "timeout", "stream_timeout", "mock_response", "ssl_verify",
            "weight", "rpm", "tpm", "rpd", "max_retries");

    /** litellm_params keys that are read and validated but not acted on yet. */
    private static final Set<String> VALIDATED_UNUSED_PARAMS = Set.of("organization");

    /** litellm_params keys kept among the extra parameters and acted on where they are read (routing, limits). */
    private static final Set<String> USED_EXTRA_PARAMS = Set.of("max_parallel_requests", "order", "rpd_reset_timezone",
            "input_cost_per_token", "output_cost_per_token", "drop_params", "additional_drop_params", "vertex_project",
            "vertex_location", "vertex_credentials", "num_retries", "cooldown_time");

    /** model_info keys acted on where they are read (LiteLLM reads limits, order and prices there too). */
    private static final Set<String> USED_MODEL_INFO = Set.of("rpm", "tpm", "rpd", "max_parallel_requests", "order",
            "mode", "input_cost_per_token", "output_cost_per_token", "health_check_timeout",
            "disable_background_health_check", "access_groups");

    private final Nodes nodes;
    private final Set<String> ignored;

    ModelListReader(Nodes nodes, Set<String> ignored) {
        this.nodes = nodes;
        this.ignored = ignored;
    }

    List<DeploymentConfig> read(@Nullable Entry modelList) {
        if (modelList == null) {
            return List.of();
        }
        List<Node> items = nodes.sequence(modelList.value(), modelList.path());
        List<DeploymentConfig> deployments = new ArrayList<>(items.size());
        Map<String, DeploymentConfig> byId = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            DeploymentConfig deployment = entry(items.get(i), i);
            DeploymentConfig clash = byId.putIfAbsent(deployment.id(), deployment);
            if (clash != null) {
                throw new ConfigException(deployment.location(), deployment.keyPath(),
                        "has the same deployment id as " + clash.keyPath() + " (line " + clash.location().line()
                                + "); give each entry a distinct model_info.id or remove the copy");
            }
            deployments.add(deployment);
        }
        return deployments;
    }

    private DeploymentConfig entry(Node node, int index) {
        String path = "model_list[" + index + ']';
        if (Nodes.isNull(node)) {
            throw nodes.error(node, path, "expected a model entry with model_name and litellm_params, got nothing");
        }
        Map<String, Entry> entry = nodes.mapping(node, path);
        for (Entry e : entry.values()) {
            if (!ENTRY_KEYS.contains(e.key())) {
                nodes.toJava(e.value(), e.path());
                ignored.add("model_list[]." + e.key());
            }
        }
        String modelName = nodes.requiredString(entry, node, path, "model_name", "the public model name");
        Entry paramsEntry = entry.get("litellm_params");
        if (paramsEntry == null || Nodes.isNull(paramsEntry.value())) {
            throw nodes.error(paramsEntry == null ? node : paramsEntry.value(), Nodes.child(path, "litellm_params"),
                    "required key is missing (expected a mapping with at least 'model')");
        }
        Map<String, Entry> params = nodes.mapping(paramsEntry.value(), paramsEntry.path());
        LitellmParams litellmParams = params(params, paramsEntry, nodes.count(entry.get("rpm")),
                nodes.count(entry.get("tpm")));
        ModelInfo modelInfo = modelInfo(entry.get("model_info"));
        // params() has checked that the model is there.
        Entry model = Objects.requireNonNull(params.get("model"), "model");
        String id = modelInfo.id() != null ? modelInfo.id() : hashId(modelName, paramsEntry);
        return new DeploymentConfig(index, modelName, litellmParams, modelInfo, id, nodes.at(model.value()));
    }

    /** The litellm_params block; a top-level {@code rpm}/{@code tpm} of the entry wins over its own. */
    private LitellmParams params(Map<String, Entry> params, Entry paramsEntry, @Nullable Long topRpm,
            @Nullable Long topTpm) {
        String model = nodes.requiredString(params, paramsEntry.value(), paramsEntry.path(), "model",
                "'<provider>/<model>', e.g. 'openai/gpt-4o'");
        Map<String, @Nullable Object> extra = new LinkedHashMap<>();
        for (Entry e : params.values()) {
            if (USED_PARAMS.contains(e.key())) {
                continue;
            }
            if (!USED_EXTRA_PARAMS.contains(e.key())) {
                ignored.add("model_list[].litellm_params." + e.key());
            }
            if (!VALIDATED_UNUSED_PARAMS.contains(e.key())) {
                extra.put(e.key(), nodes.toJava(e.value(), e.path()));
            }
        }
        // Validated here so that a bad value stops the start with its line; the router reads them from the extras.
        nodes.count(params.get("num_retries"));
        nodes.nonNegativeNumber(params.get("cooldown_time"));
        Long maxRetries = nodes.count(params.get("max_retries"));
        return new LitellmParams(
                model,
                nodes.string(params.get("api_key")),
                nodes.string(params.get("api_base")),
                nodes.string(params.get("api_version")),
                nodes.seconds(params.get("timeout")),
                nodes.seconds(params.get("stream_timeout")),
                nodes.string(params.get("mock_response")),
                sslVerify(nodes, params.get("ssl_verify")),
                nodes.nonNegativeNumber(params.get("weight")),
                topRpm != null ? topRpm : nodes.count(params.get("rpm")),
                topTpm != null ? topTpm : nodes.count(params.get("tpm")),
                nodes.count(params.get("rpd")),
                maxRetries == null ? null : (int) Math.min(maxRetries, Integer.MAX_VALUE),
                nodes.string(params.get("organization")),
                Collections.unmodifiableMap(extra));
    }

    private ModelInfo modelInfo(@Nullable Entry modelInfo) {
        if (modelInfo == null || Nodes.isNull(modelInfo.value())) {
            return ModelInfo.EMPTY;
        }
        Map<String, Entry> info = nodes.mapping(modelInfo.value(), modelInfo.path());
        Map<String, @Nullable Object> other = new LinkedHashMap<>();
        for (Entry e : info.values()) {
            if (!e.key().equals("id")) {
                other.put(e.key(), nodes.toJava(e.value(), e.path()));
                if (!USED_MODEL_INFO.contains(e.key())) {
                    ignored.add("model_list[].model_info." + e.key());
                }
            }
        }
        Entry idEntry = info.get("id");
        String id = nodes.string(idEntry);
        if (idEntry != null && id != null && id.isBlank()) {
            throw nodes.error(idEntry.value(), idEntry.path(), "expected a non-empty id");
        }
        return new ModelInfo(id, Collections.unmodifiableMap(other));
    }

    /**
     * LiteLLM's {@code ssl_verify}: a boolean, or a path to a CA bundle. Text that reads as a boolean ({@code "False"}
     * from an environment variable) is a boolean.
     */
    static @Nullable SslVerify sslVerify(Nodes nodes, @Nullable Entry entry) {
        if (entry == null) {
            return null;
        }
        Nodes.Scalar scalar = nodes.scalar(entry.value(), entry.path());
        if (scalar.value() == null) {
            return null;
        }
        Boolean bool = Nodes.booleanOf(scalar);
        if (bool != null) {
            return bool ? SslVerify.ENABLED : SslVerify.DISABLED;
        }
        if (!(scalar.value() instanceof String path) || path.isBlank()) {
            throw nodes.error(entry.value(), entry.path(),
                    "expected true, false or the path of a CA bundle (PEM), got " + scalar.describe());
        }
        if (!Files.isReadable(Path.of(path))) {
            throw nodes.error(entry.value(), entry.path(),
                    "CA bundle " + path + " does not exist or cannot be read (expected a PEM file)");
        }
        return new SslVerify(true, path);
    }

    /**
     * SHA-256 of the model name and the litellm_params as written (keys sorted, {@code os.environ/} references kept
     * unresolved): the same on every machine and restart, and never a function of a secret.
     */
    private String hashId(String modelName, Entry params) {
        StringBuilder canonical = new StringBuilder(modelName).append('\n');
        canonical(params.value(), params.path(), canonical, 0);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private void canonical(Node node, String path, StringBuilder out, int depth) {
        if (depth > 64) {
            throw nodes.error(node, path, "nested more than 64 levels deep (a recursive alias?)");
        }
        if (node instanceof MappingNode) {
            Map<String, Entry> sorted = new TreeMap<>(nodes.mapping(node, path));
            out.append('{');
            for (Entry e : sorted.values()) {
                quote(e.key(), out);
                out.append(':');
                canonical(e.value(), e.path(), out, depth + 1);
                out.append(',');
            }
            out.append('}');
        } else if (node instanceof SequenceNode sequence) {
            out.append('[');
            for (Node item : sequence.getValue()) {
                canonical(item, path, out, depth + 1);
                out.append(',');
            }
            out.append(']');
        } else {
            ScalarNode scalar = (ScalarNode) node;
            out.append(scalar.getTag().getValue().toLowerCase(Locale.ROOT)).append(' ');
            quote(scalar.getValue(), out);
        }
    }

    private static void quote(String text, StringBuilder out) {
        out.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
}
