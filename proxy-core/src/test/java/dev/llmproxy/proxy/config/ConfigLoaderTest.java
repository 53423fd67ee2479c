package dev.llmproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Map<String, String> SEED_ENV = Map.of(
            "OPENROUTER_API_KEY", "sk-or-secret",
            "GEMINI_API_KEY", "gemini-secret",
            "GITHUB_TOKEN", "ghp-secret",
            "LITELLM_MASTER_KEY", "sk-master-secret",
            "DATABASE_URL", "postgresql://llm:pw@db/llm");

    @TempDir
    Path dir;

    static Path seedConfig() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(ConfigLoaderTest.class.getResource("/config/seed-config.yaml")).toURI());
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("x.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    private ProxyConfig load(String yaml, Map<String, String> env) throws IOException {
        return ConfigLoader.load(write(yaml), env);
    }

    private String loadError(String yaml, Map<String, String> env) throws IOException {
        Path file = write(yaml);
        return assertThatThrownBy(() -> ConfigLoader.load(file, env))
                .isInstanceOf(ConfigException.class)
                .actual()
                .getMessage()
                .replace(file.toString(), "x.yaml");
    }

    @Test
    void shouldLoadSeedDeploymentWhenEnvironmentIsSet() throws Exception {
        ProxyConfig config = ConfigLoader.load(seedConfig(), SEED_ENV);

        assertThat(config.modelList()).hasSize(16);
        DeploymentConfig first = config.modelList().get(0);
        assertThat(first.modelName()).isEqualTo("deepseek-r1-free");
        assertThat(first.litellmParams().model()).isEqualTo("openrouter/deepseek/deepseek-r1:free");
        assertThat(first.litellmParams().apiKey()).isEqualTo("sk-or-secret");
        assertThat(first.litellmParams().rpm()).isEqualTo(18L);
        assertThat(first.location().line()).isEqualTo(6);
        DeploymentConfig tts = config.modelList().get(6);
        assertThat(tts.litellmParams().rpd()).isEqualTo(15L);
        assertThat(tts.modelInfo().other()).containsEntry("mode", "audio_speech");
        DeploymentConfig copilot = config.modelList().get(10);
        assertThat(copilot.litellmParams().apiKey()).isNull();
        assertThat(copilot.litellmParams().extraParams())
                .containsEntry("extra_headers", Map.of("editor-version", "vscode/1.95.0",
                        "Copilot-Integration-Id", "vscode-chat"));
        assertThat(config.modelList().get(15).id()).isEqualTo("local-embed-1");
        assertThat(config.modelList().get(15).litellmParams().apiBase())
                .isEqualTo("http://host.docker.internal:1234/v1");

        assertThat(config.litellmSettings().requestTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(config.litellmSettings().callbacks()).isEqualTo(new CallbackSettings(List.of("prometheus"),
                List.of("mlflow"), List.of("mlflow"), false, false));
        assertThat(config.litellmSettings().dropParams()).as("drop_params is read, not ignored").isTrue();
        assertThat(config.routerSettings().routingStrategy()).isEqualTo(RoutingStrategy.SIMPLE_SHUFFLE);
        assertThat(config.routerSettings().timeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.routerSettings().modelGroupAlias()).containsExactly(
                Map.entry("gpt-4o", new ModelGroupAlias("github-gpt-4o", false)),
                Map.entry("fast", new ModelGroupAlias("gemini-2.5-flash", true)));
        assertThat(config.reliability().numRetries()).isEqualTo(2);
        assertThat(config.reliability().allowedFails()).isEqualTo(3);
        assertThat(config.reliability().countsAllowedFails()).as("3 is LiteLLM's default").isFalse();
        assertThat(config.reliability().cooldownTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.generalSettings().masterKey()).isEqualTo("sk-master-secret");
        assertThat(config.generalSettings().maxRequestBodyBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(config.generalSettings().other()).containsEntry("database_url", "postgresql://llm:pw@db/llm");
        assertThat(config.environment()).containsEntry("MLFLOW_TRACKING_URI", "http://mlflow:5000")
                .containsEntry("GEMINI_API_KEY", "gemini-secret");
        assertThat(config.ignoredKeys()).containsExactly(
                "general_settings.database_url",
                "general_settings.store_model_in_db",
                "model_list[].litellm_params.extra_headers");
    }

    @Test
    void shouldReadPassThroughEndpointsWithEnvironmentInsideHeaderValues() throws Exception {
        ProxyConfig config = load("""
                general_settings:
                  pass_through_endpoints:
                    - path: /v1/rerank
                      target: https://api.cohere.com/v1/rerank
                      headers:
                        Authorization: "bearer os.environ/COHERE_API_KEY"
                        accept: application/json
                      forward_headers: true
                    - path: /bria
                      target: https://engine.prod.bria-api.com
                      include_subpath: true
                      auth: true
                """, Map.of("COHERE_API_KEY", "co-secret"));

        List<PassThroughEndpoint> endpoints = config.generalSettings().passThroughEndpoints();
        assertThat(endpoints).containsExactly(
                new PassThroughEndpoint("/v1/rerank", "https://api.cohere.com/v1/rerank",
                        Map.of("Authorization", "bearer co-secret", "accept", "application/json"), true, false, false),
                new PassThroughEndpoint("/bria", "https://engine.prod.bria-api.com", Map.of(), false, true, true));
        assertThat(config.ignoredKeys()).doesNotContain("general_settings.pass_through_endpoints");
        assertThat(endpoints.get(0).toString()).doesNotContain("co-secret");
    }

    @Test
    void shouldNotShowSecretsWhenConfigIsPrinted() throws Exception {
        String printed = ConfigLoader.load(seedConfig(), SEED_ENV).toString();

        assertThat(printed).doesNotContain("sk-or-secret", "gemini-secret", "ghp-secret", "sk-master-secret", "pw@db");
    }

    @Test
    void shouldFailWhenFileIsMissing() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": config file not found");
    }

    @Test
    void shouldNameLineWhenYamlIsBroken() throws IOException {
        String message = loadError("model_list:\n  - model_name: a\n    litellm_params: {model: openai/x\n", Map.of());

        assertThat(message).startsWith("x.yaml:4: invalid YAML: ");
    }

    @Test
    void shouldNameVariableAndKeyWhenEnvironmentVariableIsMissing() throws IOException {
        String message = loadError("""
                model_list:
                  - model_name: a
                    litellm_params:
                      model: openai/gpt-4o
                      api_key: os.environ/NOPE
                """, Map.of());

        assertThat(message).isEqualTo("x.yaml:5: model_list[0].litellm_params.api_key: environment variable NOPE is "
                + "not set (referenced by model_list[0].litellm_params.api_key)");
    }

    @Test
    void shouldRejectTimeoutWhenItIsNotANumber() throws IOException {
        String message = loadError("""
                model_list:
                  - model_name: a
                    litellm_params:
                      model: openai/gpt-4o
                      timeout: soon
                """, Map.of());

        assertThat(message).isEqualTo(
                "x.yaml:5: model_list[0].litellm_params.timeout: expected a number of seconds > 0, got 'soon'");
    }

    @Test
    void shouldNameVariableNotValueWhenEnvironmentValueIsInvalid() throws IOException {
        String message = loadError("""
                litellm_settings:
                  request_timeout: os.environ/T
                """, Map.of("T", "secret-ish"));

        assertThat(message).isEqualTo("x.yaml:2: litellm_settings.request_timeout: expected a number of seconds > 0, "
                + "got the value of environment variable T");
    }

    @Test
    void shouldReadSecondsWhenGivenAsIntFloatOrEnvironmentText() throws IOException {
        ProxyConfig config = load("""
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/gpt-4o, timeout: 2.5, stream_timeout: os.environ/ST}
                router_settings: {timeout: 30}
                """, Map.of("ST", "45"));

        assertThat(config.modelList().get(0).litellmParams().timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.modelList().get(0).litellmParams().streamTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.routerSettings().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.litellmSettings().requestTimeout()).isEqualTo(Duration.ofSeconds(6000));
    }

    @Test
    void shouldReadClientTimeoutsWithoutReportingThemIgnoredWhenGeneralSettingsSetThem() throws IOException {
        ProxyConfig config = load("""
                general_settings:
                  keepalive_timeout: 30
                  client_header_timeout: 2.5
                  client_body_timeout: os.environ/BODY_TIMEOUT
                """, Map.of("BODY_TIMEOUT", "90"));

        assertThat(config.generalSettings().keepaliveTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.generalSettings().clientHeaderTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.generalSettings().clientBodyTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.ignoredKeys()).isEmpty();
    }

    @Test
    void shouldReadCorsOriginsAndRequestBufferWhenGeneralSettingsSetThem() throws IOException {
        ProxyConfig config = load("""
                general_settings:
                  cors_allow_origins: ["https://app.example", " https://admin.example "]
                  cors_allow_credentials: true
                  max_buffered_requests_mb: 64
                """, Map.of());

        assertThat(config.generalSettings().corsAllowOrigins())
                .containsExactly("https://app.example", "https://admin.example");
        assertThat(config.generalSettings().corsAllowCredentials()).isTrue();
        assertThat(config.generalSettings().maxBufferedRequestBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(config.ignoredKeys()).isEmpty();

        ProxyConfig commas = load("general_settings:\n  cors_allow_origins: https://a.example,https://b.example\n",
                Map.of());
        assertThat(commas.generalSettings().corsAllowOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(commas.generalSettings().corsAllowCredentials()).isNull();
        assertThat(commas.generalSettings().maxBufferedRequestBytes()).isZero();

        ProxyConfig unset = load("general_settings:\n  max_request_size_mb: 5\n", Map.of());
        assertThat(unset.generalSettings().corsAllowOrigins()).isNull();
    }

    @Test
    void shouldReadClientIpSettingsWhenGeneralSettingsSetThem() throws IOException {
        ProxyConfig config = load("""
                general_settings:
                  allowed_ips: ["10.0.0.0/8", "2001:db8::1"]
                  use_x_forwarded_for: true
                  forwarded_allow_ips: 192.0.2.1, 192.0.2.2
                """, Map.of());

        ClientIpSettings ips = config.generalSettings().clientIps();
        assertThat(ips.allowedIps()).containsExactly(IpRange.parse("10.0.0.0/8"), IpRange.parse("2001:db8::1"));
        assertThat(ips.useXForwardedFor()).isTrue();
        assertThat(ips.trustedProxies()).containsExactly(IpRange.parse("192.0.2.1"), IpRange.parse("192.0.2.2"));
        assertThat(config.ignoredKeys()).isEmpty();

        ClientIpSettings unset = load("general_settings:\n  max_request_size_mb: 5\n", Map.of())
                .generalSettings().clientIps();
        assertThat(unset).isEqualTo(ClientIpSettings.DEFAULTS);
    }

    @Test
    void shouldNameTheKeyWhenAllowedIpIsNotAnAddress() throws IOException {
        assertThat(loadError("general_settings:\n  allowed_ips: [\"10.0.0.1\", \"office.example\"]\n", Map.of()))
                .isEqualTo("x.yaml:2: general_settings.allowed_ips: 'office.example' is not an IP address or CIDR "
                        + "block");
    }

    @Test
    void shouldLeaveClientTimeoutsUnsetWhenGeneralSettingsOmitThem() throws IOException {
        ProxyConfig config = load("general_settings:\n  max_request_size_mb: 5\n", Map.of());

        assertThat(config.generalSettings().keepaliveTimeout()).isNull();
        assertThat(config.generalSettings().clientHeaderTimeout()).isNull();
        assertThat(config.generalSettings().clientBodyTimeout()).isNull();
    }

    @Test
    void shouldNameFileLineAndKeyWhenClientTimeoutIsInvalid() throws IOException {
        assertThat(loadError("general_settings:\n  keepalive_timeout: 0\n", Map.of())).isEqualTo(
                "x.yaml:2: general_settings.keepalive_timeout: expected a number of seconds > 0, got '0'");
        assertThat(loadError("general_settings:\n  master_key: sk-1\n  client_body_timeout: soon\n", Map.of()))
                .isEqualTo("x.yaml:3: general_settings.client_body_timeout: expected a number of seconds > 0, "
                        + "got 'soon'");
    }

    @Test
    void shouldRejectDuplicateKeyWhenMappingRepeatsIt() throws IOException {
        String message = loadError("""
                general_settings:
                  master_key: sk-1
                  max_request_size_mb: 5
                  master_key: sk-2
                """, Map.of());

        assertThat(message).isEqualTo(
                "x.yaml:4: general_settings.master_key: duplicate key (first defined on line 2)");
    }

    @Test
    void shouldRejectMasterKeyWithoutShowingItWhenItLacksSkPrefix() throws IOException {
        String message = loadError("general_settings:\n  master_key: hunter2\n", Map.of());

        assertThat(message).isEqualTo(
                "x.yaml:2: general_settings.master_key: the master key must start with 'sk-' (value not shown)")
                .doesNotContain("hunter2");
    }

    @Test
    void shouldTakeMasterKeyFromEnvironmentWhenFileHasNone() throws IOException {
        ProxyConfig config = load("model_list: []\n", Map.of("LITELLM_MASTER_KEY", "sk-from-env"));

        assertThat(config.generalSettings().masterKey()).isEqualTo("sk-from-env");
        assertThat(config.generalSettings().maxRequestBodyBytes()).isEqualTo(32L * 1024 * 1024);
    }

    @Test
    void shouldRejectMasterKeyFromEnvironmentWhenItLacksSkPrefix() throws IOException {
        String message = loadError("model_list: []\n", Map.of("LITELLM_MASTER_KEY", "hunter2"));

        assertThat(message).isEqualTo("x.yaml: environment variable LITELLM_MASTER_KEY: the master key must start "
                + "with 'sk-' (value not shown)");
    }

    @Test
    void shouldListValidStrategiesWhenRoutingStrategyIsUnknown() throws IOException {
        String message = loadError("router_settings:\n  routing_strategy: fastest\n", Map.of());

        assertThat(message).isEqualTo("x.yaml:2: router_settings.routing_strategy: unknown routing strategy 'fastest' "
                + "(expected one of: simple-shuffle, least-busy, usage-based-routing, usage-based-routing-v2, "
                + "latency-based-routing, cost-based-routing)");
    }

    @Test
    void shouldReadTheZoneOfDailyLimitsWhenRouterSettingsNameOne() throws IOException {
        assertThat(load("router_settings:\n  timeout: 5\n", Map.of()).routerSettings().rpdResetZone())
                .isEqualTo(ZoneId.of("America/Los_Angeles"));
        ProxyConfig config = load("""
                model_list:
                  - model_name: g
                    litellm_params: {model: openai/a, rpd: 5, max_parallel_requests: 2, order: 1,
                                     rpd_reset_timezone: UTC}
                    model_info: {tpm: 100, rpm: 3}
                router_settings:
                  rpd_reset_timezone: Europe/Berlin
                """, Map.of());

        assertThat(config.routerSettings().rpdResetZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(config.modelList().get(0).litellmParams().rpd()).isEqualTo(5L);
        assertThat(config.ignoredKeys()).isEmpty();
        assertThat(loadError("router_settings:\n  rpd_reset_timezone: Mars/Olympus\n", Map.of()))
                .isEqualTo("x.yaml:2: router_settings.rpd_reset_timezone: unknown time zone 'Mars/Olympus' "
                        + "(expected an IANA zone such as America/Los_Angeles or UTC)");
    }

    @Test
    void shouldReadEveryRoutingStrategyWithoutReportingItIgnored() throws IOException {
        for (RoutingStrategy strategy : RoutingStrategy.values()) {
            ProxyConfig config = load("router_settings:\n  routing_strategy: " + strategy.configName() + "\n",
                    Map.of());

            assertThat(config.routerSettings().routingStrategy()).isEqualTo(strategy);
            assertThat(config.ignoredKeys()).isEmpty();
        }
    }

    @Test
    void shouldResolveEnvironmentEverywhereWhenEnvironmentVariablesOverlayProcessEnv() throws IOException {
        ProxyConfig config = load("""
                environment_variables:
                  KEY_A: from-file
                  FLAG: true
                  COUNT: 3
                  COPIED: os.environ/PROCESS_ONLY
                model_list:
                  - model_name: a
                    litellm_params:
                      model: openai/gpt-4o
                      api_key: os.environ/KEY_A
                      extra_body:
                        tags: [x, os.environ/COPIED]
                        nested: {deep: os.environ/FLAG}
                litellm_settings:
                  fallbacks: [{a: [os.environ/COUNT]}]
                """, Map.of("KEY_A", "from-process", "PROCESS_ONLY", "p"));

        assertThat(config.environment()).containsEntry("KEY_A", "from-file").containsEntry("FLAG", "True")
                .containsEntry("COUNT", "3").containsEntry("COPIED", "p");
        LitellmParams params = config.modelList().get(0).litellmParams();
        assertThat(params.apiKey()).isEqualTo("from-file");
        assertThat(params.extraParams()).containsEntry("extra_body",
                Map.of("tags", List.of("x", "p"), "nested", Map.of("deep", "True")));
        assertThat(config.reliability().fallbacks()).containsEntry("a", List.of("3"));
    }

    @Test
    void shouldFailWhenIgnoredKeyReferencesMissingVariable() throws IOException {
        String message = loadError("general_settings:\n  database_url: os.environ/DATABASE_URL\n", Map.of());

        assertThat(message).isEqualTo("x.yaml:2: general_settings.database_url: environment variable DATABASE_URL is "
                + "not set (referenced by general_settings.database_url)");
    }

    @Test
    void shouldRequireModelWhenLitellmParamsLackIt() throws IOException {
        String message = loadError("""
                model_list:
                  - model_name: a
                    litellm_params:
                      api_key: k
                """, Map.of());

        assertThat(message).isEqualTo("x.yaml:4: model_list[0].litellm_params.model: required key is missing "
                + "(expected '<provider>/<model>', e.g. 'openai/gpt-4o')");
    }

    @Test
    void shouldRequireModelNameWhenEntryLacksIt() throws IOException {
        String message = loadError("model_list:\n  - litellm_params: {model: openai/x}\n", Map.of());

        assertThat(message).isEqualTo(
                "x.yaml:2: model_list[0].model_name: required key is missing (expected the public model name)");
    }

    @Test
    void shouldRejectSectionWhenItIsNotAMapping() throws IOException {
        String message = loadError("router_settings:\n  - timeout\n", Map.of());

        assertThat(message).isEqualTo(
                "x.yaml:2: router_settings: expected a mapping (key: value lines), got a list");
    }

    @Test
    void shouldRejectFileWhenTopLevelIsNotAMapping() throws IOException {
        String message = loadError("- a\n- b\n", Map.of());

        assertThat(message).isEqualTo("x.yaml:1: expected a mapping (key: value lines), got a list");
    }

    @Test
    void shouldLoadEmptyConfigWhenFileIsEmpty() throws IOException {
        ProxyConfig config = load("", Map.of());

        assertThat(config.modelList()).isEmpty();
        assertThat(config.ignoredKeys()).isEmpty();
    }

    @Test
    void shouldRejectRequestSizeWhenNotPositive() throws IOException {
        String message = loadError("general_settings:\n  max_request_size_mb: 0\n", Map.of());

        assertThat(message).isEqualTo(
                "x.yaml:2: general_settings.max_request_size_mb: expected a size in megabytes > 0, got 0.0");
    }

    @Test
    void shouldRejectCountWhenNegativeOrFractional() throws IOException {
        String message = loadError("model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, rpm: 1.5}\n",
                Map.of());

        assertThat(message).isEqualTo(
                "x.yaml:3: model_list[0].litellm_params.rpm: expected a whole number >= 0, got '1.5'");
    }

    @Test
    void shouldReadSslVerifyWhenGivenAsYaml11BooleanTextOrBundlePath() throws IOException {
        Path bundle = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        ProxyConfig config = load("""
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/x, ssl_verify: no}
                  - model_name: b
                    litellm_params: {model: openai/x, ssl_verify: os.environ/SSL_VERIFY}
                  - model_name: c
                    litellm_params: {model: openai/x, ssl_verify: '%s'}
                litellm_settings:
                  ssl_verify: true
                """.formatted(bundle), Map.of("SSL_VERIFY", "False"));

        assertThat(config.modelList().get(0).litellmParams().sslVerify()).isEqualTo(SslVerify.DISABLED);
        assertThat(config.modelList().get(1).litellmParams().sslVerify()).isEqualTo(SslVerify.DISABLED);
        assertThat(config.modelList().get(2).litellmParams().sslVerify())
                .isEqualTo(new SslVerify(true, bundle.toString()));
        assertThat(config.litellmSettings().sslVerify()).isEqualTo(SslVerify.ENABLED);
    }

    @Test
    void shouldRejectSslVerifyWhenBundleDoesNotExist() throws IOException {
        String message = loadError("litellm_settings:\n  ssl_verify: /nope/ca.pem\n", Map.of());

        assertThat(message).isEqualTo("x.yaml:2: litellm_settings.ssl_verify: CA bundle /nope/ca.pem does not exist "
                + "or cannot be read (expected a PEM file)");
    }

    @Test
    void shouldApplyMergeKeysWhenEntriesShareAnchoredDefaults() throws IOException {
        ProxyConfig config = load("""
                x-defaults: &defaults
                  api_base: http://local:1234/v1
                  rpm: 5
                model_list:
                  - model_name: a
                    litellm_params:
                      <<: *defaults
                      model: lm_studio/a
                      rpm: 7
                """, Map.of());

        LitellmParams params = config.modelList().get(0).litellmParams();
        assertThat(params.apiBase()).isEqualTo("http://local:1234/v1");
        assertThat(params.rpm()).isEqualTo(7L);
        assertThat(config.ignoredKeys()).containsExactly("x-defaults");
    }

    @Test
    void shouldKeepIdStableWhenSecretsDifferAndChangeWhenParamsDiffer() throws IOException {
        String yaml = """
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/gpt-4o, api_key: os.environ/K, rpm: 3}
                  - model_name: a
                    litellm_params: {rpm: 3, api_key: os.environ/K, model: openai/gpt-4o-mini}
                """;
        ProxyConfig one = load(yaml, Map.of("K", "one"));
        ProxyConfig two = load(yaml, Map.of("K", "two"));

        String id = one.modelList().get(0).id();
        assertThat(id).matches("[0-9a-f]{64}").isEqualTo(two.modelList().get(0).id());
        assertThat(one.modelList().get(1).id()).isNotEqualTo(id);
        ProxyConfig reordered = load("model_list:\n  - model_name: a\n    litellm_params: "
                + "{rpm: 3, model: openai/gpt-4o, api_key: os.environ/K}\n", Map.of("K", "x"));
        assertThat(reordered.modelList().get(0).id()).isEqualTo(id);
    }

    @Test
    void shouldRejectDuplicateEntriesWhenTheirIdsClash() throws IOException {
        String message = loadError("""
                model_list:
                  - model_name: a
                    litellm_params: {model: openai/x}
                    model_info: {id: same}
                  - model_name: b
                    litellm_params: {model: openai/y}
                    model_info: {id: same}
                """, Map.of());

        assertThat(message).isEqualTo("x.yaml:6: model_list[1]: has the same deployment id as model_list[0] (line 3); "
                + "give each entry a distinct model_info.id or remove the copy");
    }

    @Test
    void shouldAcceptAliasFormsWhenModelGroupAliasIsMixed() throws IOException {
        ProxyConfig config = load("""
                router_settings:
                  model_group_alias:
                    a: b
                    c: {model: d}
                    e: {model: f, hidden: yes}
                """, Map.of());

        assertThat(config.routerSettings().modelGroupAlias()).containsExactly(
                Map.entry("a", new ModelGroupAlias("b", false)),
                Map.entry("c", new ModelGroupAlias("d", false)),
                Map.entry("e", new ModelGroupAlias("f", true)));
    }

    @Test
    void shouldReadCallbacksAndJsonLogsWhenNamesAreWrittenAsListsOrSingleNames() throws IOException {
        ProxyConfig config = load("""
                litellm_settings:
                  callbacks: otel
                  success_callback: ["langfuse", os.environ/EXTRA_CALLBACK]
                  json_logs: true
                """, Map.of("EXTRA_CALLBACK", "datadog"));

        assertThat(config.litellmSettings().callbacks()).isEqualTo(new CallbackSettings(List.of("otel"),
                List.of("langfuse", "datadog"), List.of(), true, false));
        assertThat(config.ignoredKeys()).isEmpty();
    }

    @Test
    void shouldPointAtTheItemWhenACallbackNameIsEmpty() throws IOException {
        String message = loadError("""
                litellm_settings:
                  callbacks: ["otel", ""]
                """, Map.of());

        assertThat(message).contains("litellm_settings.callbacks[1]", "expected a callback name");
    }
}
