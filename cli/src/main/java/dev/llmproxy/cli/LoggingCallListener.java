package dev.llmproxy.cli;

import dev.llmproxy.proxy.call.CallListener;
import dev.llmproxy.proxy.call.CallRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs one line per request ({@code --debug}); the store will consume the same records, as the metrics do. */
final class LoggingCallListener implements CallListener {
    private static final Logger log = LoggerFactory.getLogger(LoggingCallListener.class);

    @Override
    public void onCallEnded(CallRecord record) {
        log.info("[{}] {} model={} group={} deployment={} attempts={} status={} error={} stream={} usage={} "
                        + "total={} ms",
                record.callId(), record.endpoint(), record.requestedModel(), record.modelGroup(),
                record.deploymentId(), record.attempts().size(), record.status(), record.error(), record.stream(),
                record.usage(),
                (record.endNanos() - record.startNanos()) / 1_000_000);
    }
}
