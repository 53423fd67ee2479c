package dev.llmproxy.codec.openai;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import org.jspecify.annotations.Nullable;

/**
 * Finds the top-level {@code usage} of a non-streamed JSON response body that passes through the proxy chunk by
 * chunk, without aggregating or copying the body.
 *
 * <p>One instance per response. Thread-safety: none; confine it to the response's event loop.
 */
public final class JsonBodyUsageScanner {
    private static final FastThreadLocal<UsageFields> WHOLE_BODY = new FastThreadLocal<>() {
        @Override
        protected UsageFields initialValue() {
            return new UsageFields();
        }
    };

    private final UsageFields fields = new UsageFields();

    /**
     * Returns the top-level {@code usage} of a body that arrived whole (the common case for small responses), or
     * {@code null}, without creating a scanner: the parser state is reused per thread.
     *
     * @param body not retained, indexes unchanged; the caller keeps ownership
     */
    public static @Nullable Usage usageOf(ByteBuf body) {
        UsageFields whole = WHOLE_BODY.get();
        whole.reset();
        whole.feed(body, body.readerIndex(), body.readableBytes());
        return whole.usage();
    }

    /** Creates a scanner for one response body. */
    public JsonBodyUsageScanner() {
    }

    /**
     * Scans the readable bytes of the next body chunk. Malformed or non-JSON bodies (an HTML error page) stop the
     * scan quietly; nothing is thrown.
     *
     * @param chunk not retained beyond this call, indexes unchanged; the caller keeps ownership
     */
    public void feed(ByteBuf chunk) {
        if (!fields.isFailed()) {
            fields.feed(chunk, chunk.readerIndex(), chunk.readableBytes());
        }
    }

    /**
     * Returns the top-level {@code usage} seen so far, or {@code null}. A usage object that closed is reported even
     * if the body is truncated or malformed after it, because those tokens were spent.
     */
    public @Nullable Usage usage() {
        return fields.usage();
    }
}
