package dev.llmproxy.codec.rerank;

import dev.llmproxy.codec.internal.JsonInput;
import dev.llmproxy.codec.internal.RawJson;
import dev.llmproxy.codec.openai.InvalidRequestException;
import dev.llmproxy.codec.openai.OpenAiJson;
import dev.llmproxy.codec.openai.TranslatedBody;
import dev.llmproxy.codec.openai.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectWriteContext;

/**
 * Voyage AI's rerank API (https://docs.voyageai.com/reference/reranker-api) for a Cohere-style request, as LiteLLM's
 * {@code VoyageRerankConfig} translates it: the request keeps {@code query}, {@code documents} and
 * {@code return_documents}, and {@code top_n} becomes {@code top_k} (other Cohere parameters are left out); Voyage's
 * answer ({@code {"data": [{"index", "relevance_score", "document"}], "usage": {"total_tokens"}}}) becomes Cohere's
 * ({@code {"id", "results": [...], "meta": {"billed_units": {"total_tokens"}, "tokens": {"input_tokens",
 * "output_tokens"}}}}), a string document as {@code {"text": ...}}, the tokens as prompt tokens.
 *
 * <p>Thread-safety: stateless.
 */
public final class VoyageRerank {
    private static final int MAX_QUOTED_BODY_CHARS = 1000;

    private VoyageRerank() {
    }

    /**
     * Encodes a Cohere-style rerank request for Voyage.
     *
     * @param body the client's request; not taken, indexes unchanged
     * @param model the upstream model name
     * @return the Voyage request, a new buffer owned by the caller
     * @throws InvalidRequestException when the body is not a JSON object
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ByteBuf body, String model) {
        JsonInput input = JsonInput.of(body);
        RawJson query = null;
        RawJson documents = null;
        RawJson topN = null;
        RawJson returnDocuments = null;
        try (JsonParser p = input.parser()) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequestException("request body is not a JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "query" -> query = input.capture(p);
                    case "documents" -> documents = input.capture(p);
                    case "top_n" -> topN = value == JsonToken.VALUE_NUMBER_INT ? input.capture(p) : null;
                    case "return_documents" -> returnDocuments = value == JsonToken.VALUE_TRUE
                            || value == JsonToken.VALUE_FALSE ? input.capture(p) : null;
                    default -> p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new InvalidRequestException("request body is not valid JSON", null);
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 64);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringProperty("model", model);
            writeRaw(g, "query", query);
            writeRaw(g, "documents", documents);
            writeRaw(g, "top_k", topN);
            writeRaw(g, "return_documents", returnDocuments);
            g.writeEndObject();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /**
     * Translates a successful Voyage answer; one that is not Voyage's shape becomes an OpenAI error with status 500.
     *
     * @param body not taken, indexes unchanged
     * @param model the upstream model, for the id LiteLLM makes up when Voyage gives none
     * @return Cohere's shape with its usage, or the error; the body is owned by the caller
     */
    public static TranslatedBody translate(ByteBufAllocator alloc, ByteBuf body, String model) {
        JsonInput input = JsonInput.of(body);
        List<Result> results = null;
        String id = null;
        long totalTokens = 0;
        boolean valid;
        try (JsonParser p = input.parser()) {
            valid = p.nextToken() == JsonToken.START_OBJECT;
            while (valid && p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("data") && value == JsonToken.START_ARRAY) {
                    results = readResults(input, p);
                } else if (name.equals("id") && value == JsonToken.VALUE_STRING) {
                    id = p.getString();
                } else if (name.equals("usage") && value == JsonToken.START_OBJECT) {
                    totalTokens = readTotalTokens(p);
                } else {
                    p.skipChildren();
                }
            }
            valid = valid && p.nextToken() == null;
        } catch (JacksonException | IllegalStateException e) {
            valid = false;
        }
        if (!valid || results == null) {
            return error(alloc, 500, "No results found in the response="
                    + quote(body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8)));
        }
        ByteBuf out = alloc.buffer(body.readableBytes() + 128);
        try (JsonGenerator g = JsonInput.JSON.createGenerator(
                ObjectWriteContext.empty(), new ByteBufOutputStream(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringProperty("id", id != null ? id : "voyage-rerank-" + model);
            g.writeArrayPropertyStart("results");
            for (Result result : results) {
                g.writeStartObject();
                writeRaw(g, "index", result.index);
                writeRaw(g, "relevance_score", result.score);
                if (result.document != null) {
                    g.writeName("document");
                    if (result.documentIsText) {
                        g.writeStartObject();
                        g.writeName("text");
                        result.document.write(g);
                        g.writeEndObject();
                    } else {
                        result.document.write(g);
                    }
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectPropertyStart("meta");
            g.writeObjectPropertyStart("billed_units");
            g.writeNumberProperty("total_tokens", totalTokens);
            g.writeEndObject();
            g.writeObjectPropertyStart("tokens");
            g.writeNumberProperty("input_tokens", totalTokens);
            g.writeNumberProperty("output_tokens", 0);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return new TranslatedBody(out, 200, Usage.of(totalTokens, 0));
    }

    /**
     * Translates an error answer ({@code {"detail": "..."}}, or anything else) into an OpenAI error with the same
     * status, its message prefixed {@code VoyageException - } as LiteLLM's.
     *
     * @param body not taken, indexes unchanged
     */
    public static TranslatedBody translateError(ByteBufAllocator alloc, int status, ByteBuf body) {
        String text = body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8);
        return error(alloc, status, quote(text));
    }

    private static TranslatedBody error(ByteBufAllocator alloc, int status, String message) {
        String type = switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
        return new TranslatedBody(OpenAiJson.error(alloc, status, "VoyageException - " + message, type, null),
                status, null);
    }

    private static List<Result> readResults(JsonInput input, JsonParser p) {
        List<Result> results = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("a rerank result is not an object");
            }
            Result result = new Result();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "index" -> result.index = value == JsonToken.VALUE_NUMBER_INT ? input.capture(p) : null;
                    case "relevance_score" -> result.score = value.isNumeric() ? input.capture(p) : null;
                    case "document" -> {
                        result.documentIsText = value == JsonToken.VALUE_STRING;
                        result.document = input.capture(p);
                    }
                    default -> p.skipChildren();
                }
            }
            if (result.index == null || result.score == null) {
                throw new IllegalStateException("a rerank result has no index or score");
            }
            results.add(result);
        }
        return results;
    }

    private static long readTotalTokens(JsonParser p) {
        long total = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("total_tokens") && value == JsonToken.VALUE_NUMBER_INT) {
                total = Math.max(0, p.getValueAsLong(0));
            } else {
                p.skipChildren();
            }
        }
        return total;
    }

    private static void writeRaw(JsonGenerator g, String name, @Nullable RawJson value) {
        if (value != null) {
            g.writeName(name);
            value.write(g);
        }
    }

    private static String quote(String text) {
        String stripped = text.strip();
        return stripped.length() > MAX_QUOTED_BODY_CHARS ? stripped.substring(0, MAX_QUOTED_BODY_CHARS) + "..."
                : stripped.isEmpty() ? "(empty body)" : stripped;
    }

    private static final class Result {
        @Nullable RawJson index;
        @Nullable RawJson score;
        @Nullable RawJson document;
        boolean documentIsText;
    }
}
