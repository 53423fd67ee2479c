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

    private static final FastThreadLocal<UsageFields> WHOLE_BODY_CAPTURING = new FastThreadLocal<>() {
        @Override
        protected UsageFields initialValue() {
            return new UsageFields(true);
        }
    };

    private final UsageFields fields;
    private final @Nullable ResponseFacts facts;

    /**
     * Returns the top-level {@code usage} of a body that arrived whole (the common case for small responses), or
     * {@code null}, without creating a scanner: the parser state is reused per thread.
     *
     * @param body not retained, indexes unchanged; the caller keeps ownership
     */
    public static @Nullable Usage usageOf(ByteBuf body) {
        return usageOf(body, null);
    }

    /**
     * {@link #usageOf(ByteBuf)} that also puts the body's {@code model} and finish reasons into {@code facts}; null
     * captures nothing and costs nothing more.
     */
    public static @Nullable Usage usageOf(ByteBuf body, @Nullable ResponseFacts facts) {
        UsageFields whole = facts == null ? WHOLE_BODY.get() : WHOLE_BODY_CAPTURING.get();
        whole.reset();
        whole.scan(body, body.readerIndex(), body.readableBytes(), facts);
        return whole.usage();
    }

    /** Creates a scanner for one response body. */
    public JsonBodyUsageScanner() {
        this(null);
    }

    /**
     * Creates a scanner for one response body that also puts its {@code model} and finish reasons into {@code facts}
     * (null: usage only).
     */
    public JsonBodyUsageScanner(@Nullable ResponseFacts facts) {
        this.fields = new UsageFields(facts != null);
        this.facts = facts;
    }

    /**
     * Scans the readable bytes of the next body chunk. Malformed or non-JSON bodies (an HTML error page) stop the
     * scan quietly; nothing is thrown.
     *
     * @param chunk not retained beyond this call, indexes unchanged; the caller keeps ownership
     */
    public void feed(ByteBuf chunk) {
        if (!fields.isFailed()) {
            fields.scan(chunk, chunk.readerIndex(), chunk.readableBytes(), facts);
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
