package dev.llmproxy.codec.anthropic;

import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.internal.StringLiteral;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;

/**
 * One block of an Anthropic message's {@code content} (or of the top-level {@code system} list), built from the
 * client's OpenAI message and written with {@link #write}.
 *
 * <p>Thread-safety: immutable.
 */
sealed interface ContentBlock {

    void write(JsonGenerator g);

    /** This block with {@code cache_control} set, or this block when it cannot carry one. */
    default ContentBlock withCacheControl(RawJson cacheControl) {
        return this;
    }

    /** {@code {"type":"text","text":…}}. */
    record Text(StringLiteral text, @Nullable RawJson cacheControl) implements ContentBlock {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeStringProperty("type", "text");
            g.writeName("text");
            text.write(g);
            writeCacheControl(g, cacheControl);
            g.writeEndObject();
        }

        @Override
        public ContentBlock withCacheControl(RawJson cacheControl) {
            return new Text(text, cacheControl);
        }
    }

    /**
     * An {@code image} (or, for a PDF, a {@code document}) block. With {@code mediaType} set the source is
     * {@code base64} and {@code data} holds the base64 text; otherwise the source is a {@code url} and {@code data}
     * holds it.
     */
    record Media(boolean document, @Nullable String mediaType, String data, @Nullable RawJson cacheControl)
            implements ContentBlock {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeStringProperty("type", document ? "document" : "image");
            g.writeObjectPropertyStart("source");
            if (mediaType != null) {
                g.writeStringProperty("type", "base64");
                g.writeStringProperty("media_type", mediaType);
                g.writeStringProperty("data", data);
            } else {
                g.writeStringProperty("type", "url");
                g.writeStringProperty("url", data);
            }
            g.writeEndObject();
            writeCacheControl(g, cacheControl);
            g.writeEndObject();
        }

        @Override
        public ContentBlock withCacheControl(RawJson cacheControl) {
            return new Media(document, mediaType, data, cacheControl);
        }
    }

    /** {@code {"type":"tool_use","id","name","input"}}: an assistant's tool call. */
    record ToolUse(String id, String name, RawJson input, @Nullable RawJson cacheControl) implements ContentBlock {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeStringProperty("type", "tool_use");
            g.writeStringProperty("id", id);
            g.writeStringProperty("name", name);
            g.writeName("input");
            input.write(g);
            writeCacheControl(g, cacheControl);
            g.writeEndObject();
        }

        @Override
        public ContentBlock withCacheControl(RawJson cacheControl) {
            return new ToolUse(id, name, input, cacheControl);
        }
    }

    /**
     * {@code {"type":"tool_result","tool_use_id","content"}}: the answer to a tool call, from a {@code tool} (or legacy
     * {@code function}) message. The content is {@code text} when the client sent a string, else {@code blocks}.
     */
    record ToolResult(String toolUseId, @Nullable StringLiteral text, List<ContentBlock> blocks,
            @Nullable RawJson cacheControl) implements ContentBlock {
        @Override
        public void write(JsonGenerator g) {
            g.writeStartObject();
            g.writeStringProperty("type", "tool_result");
            g.writeStringProperty("tool_use_id", toolUseId);
            if (text != null) {
                g.writeName("content");
                text.write(g);
            } else {
                g.writeArrayPropertyStart("content");
                for (ContentBlock block : blocks) {
                    block.write(g);
                }
                g.writeEndArray();
            }
            writeCacheControl(g, cacheControl);
            g.writeEndObject();
        }

        @Override
        public ContentBlock withCacheControl(RawJson cacheControl) {
            return new ToolResult(toolUseId, text, blocks, cacheControl);
        }
    }

    /** A block the client already wrote in Anthropic's shape (thinking blocks, native document blocks). */
    record Raw(RawJson json) implements ContentBlock {
        @Override
        public void write(JsonGenerator g) {
            json.write(g);
        }
    }

    private static void writeCacheControl(JsonGenerator g, @Nullable RawJson cacheControl) {
        if (cacheControl != null) {
            g.writeName("cache_control");
            cacheControl.write(g);
        }
    }
}
