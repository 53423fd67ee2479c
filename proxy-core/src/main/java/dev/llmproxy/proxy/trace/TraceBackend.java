package dev.llmproxy.proxy.trace;

/** Where traces go: the trace callbacks of LiteLLM that llmproxy implements, each an OTLP/HTTP preset. */
public enum TraceBackend {
    /** {@code otel}: any OTLP/HTTP collector, configured with the standard {@code OTEL_*} variables. */
    OTEL("otel"),
    /** {@code mlflow}: an MLflow tracking server's OTLP endpoint ({@code MLFLOW_TRACKING_URI}, MLflow 3.6 or later). */
    MLFLOW("mlflow"),
    /** {@code langfuse} and {@code langfuse_otel}: Langfuse's OTLP endpoint with its public and secret key. */
    LANGFUSE("langfuse");

    private final String callbackName;

    TraceBackend(String callbackName) {
        this.callbackName = callbackName;
    }

    /** The name in {@code litellm_callback_logging_failures_metric}'s {@code callback_name} label and in logs. */
    public String callbackName() {
        return callbackName;
    }
}
