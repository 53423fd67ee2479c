package dev.llmproxy.codec.openai;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * A provider response body translated into OpenAI's shape.
 *
 * <p>Thread-safety: immutable record; the buffer is owned by whoever received this, who must release (or write) it.
 *
 * @param body the OpenAI JSON body
 * @param status the HTTP status the client gets: the provider's on success, the mapped one for an error (and an
 *     error status when a successful-looking body could not be translated)
 * @param usage the usage the body reported, or {@code null}
 */
public record TranslatedBody(ByteBuf body, int status, @Nullable Usage usage) {
}
