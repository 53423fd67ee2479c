package dev.llmproxy.proxy.metrics;

import java.util.List;
import java.util.Map;

/**
 * LiteLLM's metric families as the observability spec lists them (§1.3, LiteLLM's docs and
 * {@code types/integrations/prometheus.py}): name, type and label names, written out here independently of the main
 * code so that a test compares the exposition against the spec, not against itself.
 */
final class LiteLlmCatalog {
    /** LiteLLM's {@code LATENCY_BUCKETS} since April 2026, {@code +Inf} included. */
    static final List<Double> LATENCY_BUCKETS = List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0,
            30.0, 60.0, 120.0, 300.0, 420.0, 600.0, Double.POSITIVE_INFINITY);

    /** The older {@code LATENCY_BUCKETS}: 0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1..10 by 0.5, 15..300. */
    static final List<Double> LEGACY_LATENCY_BUCKETS = List.of(0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1.0,
            1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 15.0, 20.0, 25.0,
            30.0, 60.0, 120.0, 180.0, 240.0, 300.0, Double.POSITIVE_INFINITY);

    /** The Python client's default buckets, left by LiteLLM on the per-output-token histogram. */
    static final List<Double> PYTHON_DEFAULT_BUCKETS = List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0, Double.POSITIVE_INFINITY);

    private static final List<String> LATENCY = List.of("end_user", "hashed_api_key", "api_key_alias",
            "requested_model", "team", "team_alias", "user", "model", "model_id", "api_provider", "service_tier");
    private static final List<String> TOKENS = List.of("end_user", "hashed_api_key", "api_key_alias", "model", "team",
            "team_alias", "user", "user_email", "requested_model", "model_id", "api_provider");
    private static final List<String> DEPLOYMENT = List.of("requested_model", "litellm_model_name", "model_id",
            "api_base", "api_provider", "hashed_api_key", "api_key_alias", "team", "team_alias", "client_ip",
            "user_agent");

    /** Family name → (type, label names) of the families a call record can fill. */
    static final Map<String, Spec> REQUEST_FAMILIES = Map.ofEntries(
            Map.entry("litellm_proxy_total_requests_metric", new Spec("counter", List.of("end_user",
                    "hashed_api_key", "api_key_alias", "requested_model", "team", "team_alias", "user", "status_code",
                    "user_email", "route", "client_ip", "user_agent", "model_id", "api_provider"))),
            Map.entry("litellm_proxy_failed_requests_metric", new Spec("counter", List.of("end_user",
                    "hashed_api_key", "api_key_alias", "requested_model", "team", "team_alias", "user", "user_email",
                    "exception_status", "exception_class", "route", "client_ip", "user_agent", "model_id",
                    "api_provider"))),
            Map.entry("litellm_requests_metric", new Spec("counter", List.of("end_user", "hashed_api_key",
                    "api_key_alias", "model", "team", "team_alias", "user", "user_email", "client_ip", "user_agent",
                    "requested_model", "model_id", "api_provider"))),
            Map.entry("litellm_llm_api_failed_requests_metric", new Spec("counter", List.of("end_user",
                    "hashed_api_key", "api_key_alias", "model", "team", "team_alias", "user", "model_id"))),
            Map.entry("litellm_request_total_latency_metric", new Spec("histogram", LATENCY)),
            Map.entry("litellm_llm_api_latency_metric", new Spec("histogram", LATENCY)),
            Map.entry("litellm_llm_api_time_to_first_token_metric", new Spec("histogram", LATENCY)),
            Map.entry("litellm_overhead_latency_metric", new Spec("histogram", List.of("model_group", "api_provider",
                    "api_base", "litellm_model_name", "hashed_api_key", "api_key_alias", "model_id"))),
            Map.entry("litellm_deployment_latency_per_output_token", new Spec("histogram", List.of(
                    "litellm_model_name", "model_id", "api_base", "api_provider", "hashed_api_key", "api_key_alias",
                    "team", "team_alias"))),
            Map.entry("litellm_total_tokens_metric", new Spec("counter", TOKENS)),
            Map.entry("litellm_input_tokens_metric", new Spec("counter", TOKENS)),
            Map.entry("litellm_output_tokens_metric", new Spec("counter", TOKENS)),
            Map.entry("litellm_total_tokens", new Spec("counter", TOKENS)),
            Map.entry("litellm_deployment_success_responses", new Spec("counter", DEPLOYMENT)),
            Map.entry("litellm_deployment_total_requests", new Spec("counter", DEPLOYMENT)),
            Map.entry("litellm_deployment_failure_responses", new Spec("counter", List.of("requested_model",
                    "litellm_model_name", "model_id", "api_base", "api_provider", "exception_status",
                    "exception_class", "hashed_api_key", "api_key_alias", "team", "team_alias", "client_ip",
                    "user_agent"))));

    /** The configured-limit gauges. */
    static final Spec LIMIT_GAUGE = new Spec("gauge", List.of("litellm_model_name", "model_id", "api_base",
            "api_provider"));

    private LiteLlmCatalog() {}

    /** A family's type and label names (in LiteLLM's order; the exposition sorts them). */
    record Spec(String type, List<String> labels) {
        List<String> sortedLabels() {
            return labels.stream().sorted().toList();
        }
    }
}
