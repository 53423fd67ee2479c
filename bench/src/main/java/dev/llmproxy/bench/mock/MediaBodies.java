package dev.llmproxy.bench.mock;

import java.util.function.Consumer;
import tools.jackson.core.JsonGenerator;

/**
 * Writes the bodies of OpenAI's image generation and moderation APIs and of Cohere's rerank API (v1 and v2 answer
 * alike; Jina AI and vLLM speak it too), with Jackson's streaming generator. Used with {@link OpenAiBodies#toBuffer}.
 *
 * <p>Thread-safety: stateless.
 */
final class MediaBodies {
    static final long CREATED = 1_700_000_000L;
    /** A 1x1 transparent PNG, the image every answer carries. */
    static final String PNG_BASE64 =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
    static final int IMAGE_INPUT_TOKENS = 12;
    static final int IMAGE_OUTPUT_TOKENS = 272;

    private MediaBodies() {
    }

    /**
     * {@code {"created", "data": [{"b64_json"} | {"url"}], "usage"}}: {@code n} images, base64 or URLs, with
     * gpt-image-1's token usage.
     */
    static Consumer<JsonGenerator> images(int n, boolean base64) {
        return g -> {
            g.writeStartObject();
            g.writeNumberProperty("created", CREATED);
            g.writeArrayPropertyStart("data");
            for (int i = 0; i < n; i++) {
                g.writeStartObject();
                if (base64) {
                    g.writeStringProperty("b64_json", PNG_BASE64);
                } else {
                    g.writeStringProperty("url", "https://mock.invalid/images/" + i + ".png");
                }
                g.writeStringProperty("revised_prompt", "a mock image");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectPropertyStart("usage");
            g.writeNumberProperty("input_tokens", IMAGE_INPUT_TOKENS);
            g.writeNumberProperty("output_tokens", IMAGE_OUTPUT_TOKENS * n);
            g.writeNumberProperty("total_tokens", IMAGE_INPUT_TOKENS + IMAGE_OUTPUT_TOKENS * n);
            g.writeObjectPropertyStart("input_tokens_details");
            g.writeNumberProperty("text_tokens", IMAGE_INPUT_TOKENS);
            g.writeNumberProperty("image_tokens", 0);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /** {@code {"id", "model", "results": [...]}}: one unflagged result per input. */
    static Consumer<JsonGenerator> moderation(String model, int inputs) {
        return g -> {
            g.writeStartObject();
            g.writeStringProperty("id", "modr-mock");
            g.writeStringProperty("model", model);
            g.writeArrayPropertyStart("results");
            for (int i = 0; i < Math.max(1, inputs); i++) {
                g.writeStartObject();
                g.writeBooleanProperty("flagged", false);
                g.writeObjectPropertyStart("categories");
                g.writeBooleanProperty("hate", false);
                g.writeBooleanProperty("violence", false);
                g.writeEndObject();
                g.writeObjectPropertyStart("category_scores");
                g.writeNumberProperty("hate", 0.0001);
                g.writeNumberProperty("violence", 0.0002);
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        };
    }

    /**
     * Voyage AI's rerank answer: {@code {"object": "list", "data": [{"relevance_score", "index", "document"}], "model",
     * "usage": {"total_tokens"}}}, ranked as {@link #rerank}, 10 tokens per document.
     */
    static Consumer<JsonGenerator> voyageRerank(String model, int documents, int topK, boolean returnDocuments) {
        return g -> {
            int n = topK < 0 ? documents : Math.min(topK, documents);
            g.writeStartObject();
            g.writeStringProperty("object", "list");
            g.writeArrayPropertyStart("data");
            for (int rank = 0; rank < n; rank++) {
                int index = documents - 1 - rank;
                g.writeStartObject();
                g.writeNumberProperty("relevance_score", 0.9 - rank * 0.1);
                g.writeNumberProperty("index", index);
                if (returnDocuments) {
                    g.writeStringProperty("document", "document " + index);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringProperty("model", model);
            g.writeObjectPropertyStart("usage");
            g.writeNumberProperty("total_tokens", 10 * documents);
            g.writeEndObject();
            g.writeEndObject();
        };
    }

    /**
     * Cohere's rerank answer: {@code {"id", "results": [{"index", "relevance_score"}], "meta": {"billed_units":
     * {"search_units": 1}}}}, the documents ranked last first (scores falling), the first {@code topN} of them.
     */
    static Consumer<JsonGenerator> rerank(int documents, int topN, boolean returnDocuments) {
        return g -> {
            int n = topN < 0 ? documents : Math.min(topN, documents);
            g.writeStartObject();
            g.writeStringProperty("id", "rerank-mock");
            g.writeArrayPropertyStart("results");
            for (int rank = 0; rank < n; rank++) {
                int index = documents - 1 - rank;
                g.writeStartObject();
                g.writeNumberProperty("index", index);
                g.writeNumberProperty("relevance_score", 0.9 - rank * 0.1);
                if (returnDocuments) {
                    g.writeObjectPropertyStart("document");
                    g.writeStringProperty("text", "document " + index);
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectPropertyStart("meta");
            g.writeObjectPropertyStart("billed_units");
            g.writeNumberProperty("search_units", 1);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        };
    }
}
