package dev.llmproxy.proxy.provider;

import dev.llmproxy.codec.openai.TranslatedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * One client request as several provider calls to the same path ({@link FanOutAdapter}), and how their answers
 * become the client's.
 *
 * <p>Thread-safety: used by one attempt on its event loop.
 */
public interface FanOutRequest {

    /** How many provider calls the request takes (at least one). */
    int calls();

    /** The path and query every call is sent to. */
    String path();

    /**
     * The body of one call.
     *
     * @param call from 0 to {@link #calls()} (exclusive)
     * @return a new buffer owned by the caller
     */
    ByteBuf encode(ByteBufAllocator alloc, int call);

    /**
     * The client's answer from every call's successful answer.
     *
     * @param bodies the answers' bodies in call order; not taken
     * @param heads the answers' headers in call order
     * @return the answer (a 5xx error when the answers do not make one), its body owned by the caller
     */
    TranslatedBody aggregate(ByteBufAllocator alloc, List<ByteBuf> bodies, List<HttpHeaders> heads);

    /**
     * The client's error for one call's error answer.
     *
     * @param body not taken, indexes unchanged
     * @return the error in OpenAI's shape with the status the client gets, its body owned by the caller
     */
    TranslatedBody error(ByteBufAllocator alloc, int status, ByteBuf body);
}
