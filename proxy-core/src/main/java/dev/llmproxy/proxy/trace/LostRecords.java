package dev.llmproxy.proxy.trace;

/**
 * Told of call records whose spans will never reach a backend: dropped because the export queue was full, or part
 * of an export that failed or timed out. The metrics count them in {@code litellm_callback_logging_failures_metric}.
 *
 * <p>Called from event loops (drops) and exporter threads (failed exports): must not block.
 */
@FunctionalInterface
public interface LostRecords {
    /** Counts nothing. */
    LostRecords NONE = (callbackName, records) -> {};

    /**
     * @param callbackName the backend's callback name ({@code otel}, {@code mlflow}, {@code langfuse})
     * @param records how many call records were lost, > 0
     */
    void lost(String callbackName, long records);
}
