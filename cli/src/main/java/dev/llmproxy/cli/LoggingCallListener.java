package dev.llmproxy.cli;

import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import dev.llmproxy.proxy.provider.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log of {@code --debug}: one line per request, every request (model calls, health checks, refusals). In
 * JSON logs its facts are also fields ({@code call_id}, {@code route}, {@code model}, {@code status_code},
 * {@code duration_ms}, ...). Runs on the event loop, like every listener; the console appender's write is the cost of
 * asking for debug output.
 */
final class LoggingCallListener implements CallListener {
    private static final Logger log = LoggerFactory.getLogger("llmproxy.access");

    @Override
    public void onCallEnded(CallRecord record) {
        Endpoint endpoint = record.endpoint();
        String route = endpoint == null ? "-" : endpoint.path();
        long durationMillis = (record.endNanos() - record.startNanos()) / 1_000_000;
        log.atInfo()
                .addKeyValue("call_id", record.callId())
                .addKeyValue("route", route)
                .addKeyValue("model", record.requestedModel())
                .addKeyValue("model_group", record.modelGroup())
                .addKeyValue("model_id", record.deploymentId())
                .addKeyValue("status_code", record.status())
                .addKeyValue("attempts", record.attempts().size())
                .addKeyValue("stream", record.stream())
                .addKeyValue("duration_ms", durationMillis)
                .log("[{}] {} model={} group={} deployment={} attempts={} status={} error={} stream={} usage={} "
                                + "total={} ms",
                        record.callId(), route, record.requestedModel(), record.modelGroup(),
                        record.deploymentId(), record.attempts().size(), record.status(), record.error(),
                        record.stream(), record.usage(), durationMillis);
    }
}
