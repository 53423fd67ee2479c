package dev.llmproxy.codec.anthropic;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/** OpenAI's tool-call {@code arguments} (a string of JSON) as Anthropic's {@code input} (a JSON object). */
final class ToolArguments {
    private ToolArguments() {
    }

    /**
     * Returns {@code arguments} when it holds exactly one JSON object, else {@code {}}: Anthropic requires an object,
     * and an empty or cut argument string (a model that stopped mid-call) must not fail the whole conversation.
     */
    static RawJson parse(String arguments) {
        String trimmed = arguments.strip();
        if (trimmed.isEmpty() || trimmed.charAt(0) != '{') {
            return RawJson.EMPTY_OBJECT;
        }
        try (JsonParser p = JsonInput.JSON.createParser(ObjectReadContext.empty(), trimmed)) {
            p.nextToken();
            p.skipChildren();
            return p.nextToken() == null ? new RawJson(trimmed) : RawJson.EMPTY_OBJECT;
        } catch (JacksonException e) {
            return RawJson.EMPTY_OBJECT;
        }
    }
}
