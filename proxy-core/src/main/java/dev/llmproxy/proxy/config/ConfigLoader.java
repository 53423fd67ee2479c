package dev.llmproxy.proxy.config;

import dev.llmproxy.proxy.config.Nodes.Entry;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a LiteLLM {@code config.yaml} (YAML 1.1, as PyYAML reads it) into a {@link ProxyConfig}. Thread-safety:
 * stateless; each call reads the file anew.
 *
 * <p>The file is composed into SnakeYAML nodes rather than constructed into maps so that every value keeps its line
 * for error messages, and duplicate keys (which PyYAML silently overwrites) are caught.
 */
public final class ConfigLoader {

    /** Environment variable LiteLLM reads for the master key when {@code general_settings.master_key} is absent. */
    public static final String MASTER_KEY_ENV = "LITELLM_MASTER_KEY";

    private static final Set<String> SECTIONS = Set.of("model_list", "litellm_settings", "router_settings",
            "general_settings", "environment_variables");

    private ConfigLoader() {}

    /**
     * Loads {@code file}. {@code environment_variables} is overlaid on {@code processEnv} first; then every scalar of
     * the form {@code os.environ/NAME}, anywhere in the file, is replaced by that variable.
     *
     * @param file the config file; its name as given appears in error messages
     * @param processEnv the process environment ({@code System.getenv()})
     * @throws ConfigException when the file is missing or unreadable, is not valid YAML, references an unset
     *     variable, or holds a value of the wrong type or range
     */
    public static ProxyConfig load(Path file, Map<String, String> processEnv) {
        return load(file, processEnv, null);
    }

    /**
     * Loads {@code file} as {@link #load} does, but collects every unset {@code os.environ/NAME} instead of failing on
     * the first (each reads as an absent value), for {@code llmproxy --check}.
     *
     * @return the config (or the first other problem) and every unset variable, in file order
     */
    public static ConfigCheck check(Path file, Map<String, String> processEnv) {
        List<MissingVariable> missing = new ArrayList<>();
        try {
            return new ConfigCheck(load(file, processEnv, missing), missing, null);
        } catch (ConfigException e) {
            return new ConfigCheck(null, missing, e);
        }
    }

    private static ProxyConfig load(Path file, Map<String, String> processEnv,
            @Nullable List<MissingVariable> missing) {
        String name = file.toString();
        Node root = compose(file, name);
        Nodes bootstrap = new Nodes(name, processEnv, missing);
        Map<String, Entry> top = root == null ? Map.of() : bootstrap.mapping(root, "");
        Map<String, String> environment = environment(bootstrap, top.get("environment_variables"), processEnv);
        Nodes nodes = new Nodes(name, environment, missing);
        Set<String> ignored = new TreeSet<>();
        for (Entry entry : top.values()) {
            if (!SECTIONS.contains(entry.key())) {
                nodes.toJava(entry.value(), entry.path());
                ignored.add(entry.key());
            }
        }
        List<DeploymentConfig> models = new ModelListReader(nodes, ignored).read(top.get("model_list"));
        LitellmSettings litellm = litellmSettings(nodes, top.get("litellm_settings"), ignored);
        RouterSettings router = routerSettings(nodes, top.get("router_settings"), ignored);
        GeneralSettings general = generalSettings(nodes, top.get("general_settings"), environment, name, ignored);
        ReliabilitySettings reliability = ReliabilitySettingsReader.read(nodes, section(nodes, top, "router_settings"),
                section(nodes, top, "litellm_settings"), section(nodes, top, "general_settings"));
        return new ProxyConfig(file, models, litellm, router, general, environment, new ArrayList<>(ignored),
                reliability);
    }

    private static Map<String, Entry> section(Nodes nodes, Map<String, Entry> top, String name) {
        Entry section = top.get(name);
        return section == null ? Map.of() : nodes.mapping(section.value(), section.path());
    }

    private static @Nullable Node compose(Path file, String name) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            return new Yaml(options).compose(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name + ": config file not found", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException(name + ": config file is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot read the config file (" + e.getMessage() + ')', e);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? name : name + ':' + (mark.getLine() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            throw new ConfigException(where + ": invalid YAML: " + problem, e);
        } catch (YAMLException e) {
            throw new ConfigException(name + ": invalid YAML: " + e.getMessage(), e);
        }
    }

    /**
     * The process environment overlaid with {@code environment_variables}, whose values are set as Python's
     * {@code str()} would write them (LiteLLM: {@code os.environ[key] = str(value)}). Their own
     * {@code os.environ/NAME} references read the process environment.
     */
    private static Map<String, String> environment(Nodes nodes, @Nullable Entry section, Map<String, String> env) {
        Map<String, String> merged = new HashMap<>(env);
        if (section == null) {
            return merged;
        }
        for (Entry entry : nodes.mapping(section.value(), section.path()).values()) {
            Nodes.Scalar scalar = nodes.scalar(entry.value(), entry.path());
            if (scalar.value() == null) {
                if (scalar.envName() != null) {
                    continue;
                }
                throw nodes.error(entry.value(), entry.path(), "expected a value for the variable, got nothing");
            }
            merged.put(entry.key(), pythonStr(scalar));
        }
        return merged;
    }

    private static String pythonStr(Nodes.Scalar scalar) {
        if (scalar.value() instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (scalar.value() instanceof Number n) {
            return n.toString();
        }
        return scalar.text();
    }

    private static LitellmSettings litellmSettings(Nodes nodes, @Nullable Entry section, Set<String> ignored) {
        if (section == null) {
            return LitellmSettings.DEFAULTS;
        }
        Map<String, Entry> settings = nodes.mapping(section.value(), section.path());
        Set<String> modelled = new HashSet<>(PrometheusSettings.KEYS);
        modelled.addAll(CallbackSettings.KEYS);
        modelled.add("request_timeout");
        modelled.add("ssl_verify");
        modelled.addAll(ReliabilitySettingsReader.LITELLM_KEYS);
        Map<String, @Nullable Object> other = others(nodes, settings, modelled, "litellm_settings.", ignored);
        // Kept among the others and read from there by the deployments (LitellmSettings.dropParams).
        ignored.remove("litellm_settings.drop_params");
        Duration timeout = nodes.seconds(settings.get("request_timeout"));
        return new LitellmSettings(timeout == null ? LitellmSettings.DEFAULT_REQUEST_TIMEOUT : timeout,
                ModelListReader.sslVerify(nodes, settings.get("ssl_verify")), PrometheusSettings.read(nodes, settings),
                CallbackSettings.read(nodes, settings), other);
    }

    private static RouterSettings routerSettings(Nodes nodes, @Nullable Entry section, Set<String> ignored) {
        if (section == null) {
            return RouterSettings.DEFAULTS;
        }
        Map<String, Entry> settings = nodes.mapping(section.value(), section.path());
        Set<String> modelled = new HashSet<>(ReliabilitySettingsReader.ROUTER_KEYS);
        modelled.addAll(Set.of("routing_strategy", "model_group_alias", "timeout", "stream_timeout",
                "rpd_reset_timezone", "routing_strategy_args", "wait_for_capacity_timeout",
                "wait_for_capacity_max_queue"));
        Map<String, @Nullable Object> other = others(nodes, settings, modelled, "router_settings.", ignored);
        RoutingStrategy strategy = routingStrategy(nodes, settings.get("routing_strategy"));
        return new RouterSettings(strategy, aliases(nodes, settings.get("model_group_alias")),
                nodes.seconds(settings.get("timeout")), nodes.seconds(settings.get("stream_timeout")),
                zone(nodes, settings.get("rpd_reset_timezone")),
                strategyArgs(nodes, settings.get("routing_strategy_args"), ignored),
                capacityWait(nodes, settings), other);
    }

    /** {@code routing_strategy_args}: {@code ttl} and {@code lowest_latency_buffer}; other keys are ignored. */
    private static RoutingStrategyArgs strategyArgs(Nodes nodes, @Nullable Entry entry, Set<String> ignored) {
        if (entry == null) {
            return RoutingStrategyArgs.DEFAULTS;
        }
        Map<String, Entry> args = nodes.mapping(entry.value(), entry.path());
        for (Entry arg : args.values()) {
            if (!arg.key().equals("ttl") && !arg.key().equals("lowest_latency_buffer")) {
                nodes.toJava(arg.value(), arg.path());
                ignored.add("router_settings.routing_strategy_args." + arg.key());
            }
        }
        Duration ttl = nodes.seconds(args.get("ttl"));
        Double buffer = nodes.nonNegativeNumber(args.get("lowest_latency_buffer"));
        return new RoutingStrategyArgs(ttl != null ? ttl : RoutingStrategyArgs.DEFAULTS.ttl(),
                buffer != null ? buffer : RoutingStrategyArgs.DEFAULTS.lowestLatencyBuffer());
    }

    /** The wait for capacity: on when {@code wait_for_capacity_timeout} is set. */
    private static @Nullable CapacityWait capacityWait(Nodes nodes, Map<String, Entry> settings) {
        Duration timeout = nodes.seconds(settings.get("wait_for_capacity_timeout"));
        Entry queueEntry = settings.get("wait_for_capacity_max_queue");
        Long queue = nodes.count(queueEntry);
        if (queueEntry != null && queue != null && (queue == 0 || queue > 1_000_000)) {
            throw nodes.error(queueEntry.value(), queueEntry.path(),
                    "expected a number of requests from 1 to 1000000, got " + queue);
        }
        if (timeout == null) {
            if (queueEntry != null && queue != null) {
                throw nodes.error(queueEntry.value(), queueEntry.path(),
                        "has no effect without wait_for_capacity_timeout (the longest a request may wait, in seconds)");
            }
            return null;
        }
        return new CapacityWait(timeout, queue != null ? queue.intValue() : CapacityWait.DEFAULT_MAX_QUEUE);
    }

    /** An IANA zone such as {@code America/Los_Angeles} or {@code UTC}; absent → the default rpd zone. */
    private static ZoneId zone(Nodes nodes, @Nullable Entry entry) {
        String name = nodes.string(entry);
        if (entry == null || name == null) {
            return RouterSettings.DEFAULT_RPD_RESET_ZONE;
        }
        try {
            return ZoneId.of(name.trim());
        } catch (DateTimeException e) {
            throw nodes.error(entry.value(), entry.path(), "unknown time zone '" + Nodes.abbreviate(name)
                    + "' (expected an IANA zone such as America/Los_Angeles or UTC)");
        }
    }

    private static RoutingStrategy routingStrategy(Nodes nodes, @Nullable Entry entry) {
        String name = nodes.string(entry);
        if (entry == null || name == null) {
            return RoutingStrategy.SIMPLE_SHUFFLE;
        }
        RoutingStrategy strategy = RoutingStrategy.fromConfigName(name);
        if (strategy == null) {
            String valid = Arrays.stream(RoutingStrategy.values())
                    .map(RoutingStrategy::configName)
                    .collect(Collectors.joining(", "));
            throw nodes.error(entry.value(), entry.path(),
                    "unknown routing strategy '" + Nodes.abbreviate(name) + "' (expected one of: " + valid + ')');
        }
        return strategy;
    }

    /** {@code alias: group} or {@code alias: {model: group, hidden: true}}. */
    private static Map<String, ModelGroupAlias> aliases(Nodes nodes, @Nullable Entry entry) {
        if (entry == null) {
            return Map.of();
        }
        Map<String, ModelGroupAlias> aliases = new LinkedHashMap<>();
        for (Entry alias : nodes.mapping(entry.value(), entry.path()).values()) {
            if (alias.value() instanceof MappingNode) {
                Map<String, Entry> fields = nodes.mapping(alias.value(), alias.path());
                for (Entry field : fields.values()) {
                    if (!field.key().equals("model") && !field.key().equals("hidden")) {
                        throw nodes.error(field.keyNode(), field.path(), "unknown key (expected 'model' or 'hidden')");
                    }
                }
                String group = nodes.requiredString(fields, alias.value(), alias.path(), "model",
                        "the model_name the alias stands for");
                Boolean hidden = nodes.bool(fields.get("hidden"));
                aliases.put(alias.key(), new ModelGroupAlias(group, hidden != null && hidden));
            } else {
                String group = nodes.string(alias);
                if (group == null || group.isBlank()) {
                    throw nodes.error(alias.value(), alias.path(),
                            "expected the model_name the alias stands for, or {model: ..., hidden: ...}");
                }
                aliases.put(alias.key(), new ModelGroupAlias(group, false));
            }
        }
        return Collections.unmodifiableMap(aliases);
    }

    private static GeneralSettings generalSettings(Nodes nodes, @Nullable Entry section,
            Map<String, String> environment, String file, Set<String> ignored) {
        Map<String, Entry> settings = section == null ? Map.of() : nodes.mapping(section.value(), section.path());
        Set<String> modelled = new HashSet<>(ReliabilitySettingsReader.GENERAL_KEYS);
        modelled.addAll(Set.of("master_key", "max_request_size_mb", "keepalive_timeout", "client_header_timeout",
                "client_body_timeout", "max_buffered_requests_mb", "cors_allow_origins", "cors_allow_credentials",
                "allowed_ips", "use_x_forwarded_for", "forwarded_allow_ips", "background_health_checks",
                "health_check_interval", "max_upload_size_mb", "pass_through_endpoints"));
        Map<String, @Nullable Object> other = others(nodes, settings, modelled, "general_settings.", ignored);
        Entry masterKeyEntry = settings.get("master_key");
        String masterKey = nodes.string(masterKeyEntry);
        if (masterKeyEntry != null && masterKey != null && !masterKey.startsWith("sk-")) {
            throw nodes.error(masterKeyEntry.value(), masterKeyEntry.path(),
                    "the master key must start with 'sk-' (value not shown)");
        }
        if (masterKey == null) {
            masterKey = environment.get(MASTER_KEY_ENV);
            if (masterKey != null && !masterKey.startsWith("sk-")) {
                throw new ConfigException(file + ": environment variable " + MASTER_KEY_ENV
                        + ": the master key must start with 'sk-' (value not shown)");
            }
        }
        Entry sizeEntry = settings.get("max_request_size_mb");
        Double megabytes = nodes.nonNegativeNumber(sizeEntry);
        long maxBytes = GeneralSettings.DEFAULT_MAX_REQUEST_BODY_BYTES;
        if (sizeEntry != null && megabytes != null) {
            double bytes = megabytes * 1024 * 1024;
            if (!(bytes >= 1) || bytes > Long.MAX_VALUE / 2) {
                throw nodes.error(sizeEntry.value(), sizeEntry.path(),
                        "expected a size in megabytes > 0, got " + megabytes);
            }
            maxBytes = (long) bytes;
        }
        Entry bufferedEntry = settings.get("max_buffered_requests_mb");
        Double bufferedMegabytes = nodes.nonNegativeNumber(bufferedEntry);
        long bufferedBytes = 0;
        if (bufferedEntry != null && bufferedMegabytes != null) {
            double bytes = bufferedMegabytes * 1024 * 1024;
            if (!(bytes >= 1) || bytes > Long.MAX_VALUE / 2) {
                throw nodes.error(bufferedEntry.value(), bufferedEntry.path(),
                        "expected a size in megabytes > 0, got " + bufferedMegabytes);
            }
            bufferedBytes = (long) bytes;
        }
        Entry uploadEntry = settings.get("max_upload_size_mb");
        Double uploadMegabytes = nodes.nonNegativeNumber(uploadEntry);
        long uploadBytes = 0;
        if (uploadEntry != null && uploadMegabytes != null) {
            double bytes = uploadMegabytes * 1024 * 1024;
            if (!(bytes >= 1) || bytes > Long.MAX_VALUE / 2) {
                throw nodes.error(uploadEntry.value(), uploadEntry.path(),
                        "expected a size in megabytes > 0, got " + uploadMegabytes);
            }
            uploadBytes = (long) bytes;
        }
        return new GeneralSettings(masterKey, maxBytes, nodes.seconds(settings.get("keepalive_timeout")),
                nodes.seconds(settings.get("client_header_timeout")), nodes.seconds(settings.get("client_body_timeout")),
                bufferedBytes, stringList(nodes, settings.get("cors_allow_origins")),
                nodes.bool(settings.get("cors_allow_credentials")), clientIps(nodes, settings),
                healthChecks(nodes, settings), other, uploadBytes,
                passThroughEndpoints(nodes, settings.get("pass_through_endpoints"), environment));
    }

    /**
     * {@code pass_through_endpoints}: LiteLLM resolves {@code os.environ/NAME} anywhere inside a header value (so
     * {@code "Bearer os.environ/KEY"} works), not only as the whole value.
     */
    private static List<PassThroughEndpoint> passThroughEndpoints(Nodes nodes, @Nullable Entry section,
            Map<String, String> environment) {
        if (section == null) {
            return List.of();
        }
        List<PassThroughEndpoint> endpoints = new ArrayList<>();
        List<Node> items = nodes.sequence(section.value(), section.path());
        for (int i = 0; i < items.size(); i++) {
            String path = section.path() + '[' + i + ']';
            Node item = items.get(i);
            Map<String, Entry> fields = nodes.mapping(item, path);
            String route = nodes.requiredString(fields, item, path, "path", "the proxy route, e.g. /v1/rerank");
            String target = nodes.requiredString(fields, item, path, "target", "the URL to forward to");
            if (!route.startsWith("/")) {
                throw nodes.error(item, Nodes.child(path, "path"), "expected a route starting with /, got " + route);
            }
            if (!target.startsWith("http://") && !target.startsWith("https://")) {
                throw nodes.error(item, Nodes.child(path, "target"), "expected an http:// or https:// URL");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            Entry headerEntry = fields.get("headers");
            if (headerEntry != null && !Nodes.isNull(headerEntry.value())) {
                for (Entry header : nodes.mapping(headerEntry.value(), headerEntry.path()).values()) {
                    String value = nodes.string(header);
                    if (value != null) {
                        headers.put(header.key(), withEnvironment(nodes, header, value, environment));
                    }
                }
            }
            endpoints.add(new PassThroughEndpoint(route, target, headers,
                    Boolean.TRUE.equals(nodes.bool(fields.get("forward_headers"))),
                    Boolean.TRUE.equals(nodes.bool(fields.get("include_subpath"))),
                    Boolean.TRUE.equals(nodes.bool(fields.get("auth")))));
        }
        return endpoints;
    }

    private static String withEnvironment(Nodes nodes, Entry header, String value, Map<String, String> environment) {
        int at = value.indexOf("os.environ/");
        if (at < 0) {
            return value;
        }
        String name = value.substring(at + "os.environ/".length());
        String resolved = environment.get(name);
        if (resolved == null) {
            throw nodes.error(header.value(), header.path(), "environment variable " + name + " is not set");
        }
        return value.substring(0, at) + resolved;
    }

    private static HealthCheckSettings healthChecks(Nodes nodes, Map<String, Entry> settings) {
        Boolean background = nodes.bool(settings.get("background_health_checks"));
        Duration interval = nodes.seconds(settings.get("health_check_interval"));
        return new HealthCheckSettings(background != null && background,
                interval != null ? interval : HealthCheckSettings.DEFAULT_INTERVAL);
    }

    private static ClientIpSettings clientIps(Nodes nodes, Map<String, Entry> settings) {
        Boolean useForwardedFor = nodes.bool(settings.get("use_x_forwarded_for"));
        List<IpRange> trusted = ipRanges(nodes, settings.get("forwarded_allow_ips"));
        return new ClientIpSettings(ipRanges(nodes, settings.get("allowed_ips")),
                useForwardedFor != null && useForwardedFor, trusted == null ? IpRange.LOOPBACK : trusted);
    }

    /** A list of addresses and CIDR blocks, or one string of them separated by commas; null when absent. */
    private static @Nullable List<IpRange> ipRanges(Nodes nodes, @Nullable Entry entry) {
        List<String> texts = stringList(nodes, entry);
        if (entry == null || texts == null) {
            return null;
        }
        List<IpRange> ranges = new ArrayList<>();
        for (String text : texts) {
            try {
                ranges.add(IpRange.parse(text));
            } catch (IllegalArgumentException e) {
                throw nodes.error(entry.value(), entry.path(), String.valueOf(e.getMessage()));
            }
        }
        return ranges;
    }

    /** A list of strings or one string of them separated by commas (as {@code cors_allow_origins}); null when absent. */
    private static @Nullable List<String> stringList(Nodes nodes, @Nullable Entry entry) {
        if (entry == null || Nodes.isNull(entry.value())) {
            return null;
        }
        List<String> values = new ArrayList<>();
        if (entry.value() instanceof SequenceNode) {
            List<Node> items = nodes.sequence(entry.value(), entry.path());
            for (int i = 0; i < items.size(); i++) {
                Nodes.Scalar scalar = nodes.scalar(items.get(i), entry.path() + "[" + i + "]");
                if (scalar.value() != null) {
                    values.add(scalar.text().strip());
                }
            }
        } else {
            String text = nodes.string(entry);
            for (String value : text == null ? new String[0] : text.split(",")) {
                values.add(value.strip());
            }
        }
        values.removeIf(String::isEmpty);
        return values;
    }

    /** The resolved values of the keys a section does not model; each is recorded as ignored. */
    private static Map<String, @Nullable Object> others(Nodes nodes, Map<String, Entry> settings, Set<String> modelled,
            String prefix, Set<String> ignored) {
        Map<String, @Nullable Object> other = new LinkedHashMap<>();
        for (Entry entry : settings.values()) {
            if (!modelled.contains(entry.key())) {
                other.put(entry.key(), nodes.toJava(entry.value(), entry.path()));
                ignored.add(prefix + entry.key());
            }
        }
        return Collections.unmodifiableMap(other);
    }
}
