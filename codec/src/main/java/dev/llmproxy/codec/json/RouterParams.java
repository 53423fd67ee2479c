package dev.llmproxy.codec.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * LiteLLM's per-request router parameters, taken out of a request body: they steer the gateway and are never sent
 * to the provider (OpenAI refuses unknown parameters). Bodies carrying them are rare, so they are parsed with
 * Jackson and the rest of the body is copied byte for byte, member by member, without re-serializing any value.
 *
 * <p>Thread-safety: immutable.
 *
 * @param numRetries {@code num_retries}, or -1 when absent
 * @param timeoutSeconds {@code timeout} in seconds, or 0 when absent
 * @param fallbacks {@code fallbacks}: model groups (a list of names, or of objects with a {@code model}), or null
 * @param contextWindowFallbacks {@code context_window_fallbacks}: group → fallback groups (a plain list of names is
 *     kept under {@code *}), or null
 * @param contentPolicyFallbacks {@code content_policy_fallbacks}, as {@code contextWindowFallbacks}
 * @param maxFallbacks {@code max_fallbacks}, or -1 when absent
 * @param disableFallbacks {@code disable_fallbacks}
 * @param includeFallbackErrors {@code include_fallback_errors}: the caller asks for the errors that led to fallbacks
 * @param mockTestingParams the names of LiteLLM's {@code mock_testing_*} parameters present, whatever their values
 *     (the proxy refuses them unless its operator allows them)
 * @param mockFailure the first {@code mock_testing_*} parameter set to {@code true}, or null: the failure the
 *     caller asks the gateway to pretend, to test its fallbacks
 */
public record RouterParams(
        int numRetries,
        double timeoutSeconds,
        @Nullable List<String> fallbacks,
        @Nullable Map<String, List<String>> contextWindowFallbacks,
        @Nullable Map<String, List<String>> contentPolicyFallbacks,
        int maxFallbacks,
        boolean disableFallbacks,
        boolean includeFallbackErrors,
        List<String> mockTestingParams,
        @Nullable String mockFailure) {

    /** LiteLLM's {@code mock_testing_fallbacks}: an internal server error, straight to the fallbacks. */
    public static final String MOCK_TESTING_FALLBACKS = "mock_testing_fallbacks";
    /** LiteLLM's {@code mock_testing_context_fallbacks}: a context-length error. */
    public static final String MOCK_TESTING_CONTEXT_FALLBACKS = "mock_testing_context_fallbacks";
    /** LiteLLM's {@code mock_testing_content_policy_fallbacks}: a content-policy refusal. */
    public static final String MOCK_TESTING_CONTENT_POLICY_FALLBACKS = "mock_testing_content_policy_fallbacks";
    /** LiteLLM's {@code mock_testing_rate_limit_error}: a rate-limit error, retried like any other. */
    public static final String MOCK_TESTING_RATE_LIMIT_ERROR = "mock_testing_rate_limit_error";

    public RouterParams {
        mockTestingParams = List.copyOf(mockTestingParams);
    }

    /** Bodies are bounded by the proxy's own size and nesting checks, not by Jackson's defaults. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxNestingDepth(1024)
                    .build())
            .build();

    /**
     * A body without the router parameters, and what they said.
     *
     * @param params the parameters
     * @param body the rest of the body; owned by the caller, who releases it
     */
    public record Extracted(RouterParams params, ByteBuf body) {}

    /**
     * Takes the router parameters out of {@code body}, a JSON object that {@link RequestScanner} found valid.
     *
     * @param body not released; its indexes are left unchanged
     * @throws IllegalArgumentException with a message for the client when a parameter has the wrong type or range
     */
    public static Extracted extract(ByteBufAllocator alloc, ByteBuf body) {
        byte[] bytes = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), bytes);
        Reader reader = new Reader();
        List<int[]> kept = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), bytes, 0, bytes.length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("Request body must be a JSON object");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                int start = (int) parser.currentTokenLocation().getByteOffset();
                String name = parser.currentName();
                parser.nextToken();
                if (!reader.read(name, parser)) {
                    // A scalar is read lazily: finish it, so that the location is past its end.
                    parser.skipChildren();
                    parser.finishToken();
                    kept.add(new int[] {start, (int) parser.currentLocation().getByteOffset()});
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Invalid JSON in request body", e);
        }
        ByteBuf out = alloc.buffer(bytes.length);
        out.writeByte('{');
        for (int i = 0; i < kept.size(); i++) {
            if (i > 0) {
                out.writeByte(',');
            }
            out.writeBytes(bytes, kept.get(i)[0], kept.get(i)[1] - kept.get(i)[0]);
        }
        out.writeByte('}');
        return new Extracted(reader.params(), out);
    }

    /** Reads the values of the router parameters as the parser meets them. */
    private static final class Reader {
        private int numRetries = -1;
        private double timeoutSeconds;
        private @Nullable List<String> fallbacks;
        private @Nullable Map<String, List<String>> contextWindow;
        private @Nullable Map<String, List<String>> contentPolicy;
        private int maxFallbacks = -1;
        private boolean disableFallbacks;
        private boolean includeFallbackErrors;
        private final List<String> mockTestingParams = new ArrayList<>(1);
        private @Nullable String mockFailure;

        /** Reads the value of {@code name} when it is a router parameter; false for any other member. */
        boolean read(String name, JsonParser parser) {
            switch (name) {
                case "num_retries" -> numRetries = count(name, parser);
                case "max_fallbacks" -> maxFallbacks = count(name, parser);
                case "timeout" -> timeoutSeconds = seconds(parser);
                case "disable_fallbacks" -> disableFallbacks = parser.currentToken() == JsonToken.VALUE_TRUE;
                case "fallbacks" -> fallbacks = groups(name, parser);
                case "context_window_fallbacks" -> contextWindow = groupMap(name, parser);
                case "content_policy_fallbacks" -> contentPolicy = groupMap(name, parser);
                case "include_fallback_errors" -> includeFallbackErrors = parser.currentToken() == JsonToken.VALUE_TRUE;
                case MOCK_TESTING_FALLBACKS, MOCK_TESTING_CONTEXT_FALLBACKS, MOCK_TESTING_CONTENT_POLICY_FALLBACKS,
                        MOCK_TESTING_RATE_LIMIT_ERROR -> {
                    mockTestingParams.add(name);
                    if (mockFailure == null && parser.currentToken() == JsonToken.VALUE_TRUE) {
                        mockFailure = name;
                    }
                    parser.skipChildren();
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        RouterParams params() {
            return new RouterParams(numRetries, timeoutSeconds, fallbacks, contextWindow, contentPolicy,
                    maxFallbacks, disableFallbacks, includeFallbackErrors, mockTestingParams, mockFailure);
        }

        private static int count(String name, JsonParser parser) {
            if (parser.currentToken() == JsonToken.VALUE_NULL) {
                return -1;
            }
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0) {
                throw new IllegalArgumentException(name + " must be a whole number >= 0");
            }
            return (int) Math.min(parser.getLongValue(), Integer.MAX_VALUE);
        }

        private static double seconds(JsonParser parser) {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_NULL) {
                return 0;
            }
            double seconds = -1;
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                seconds = parser.getDoubleValue();
            } else if (token == JsonToken.VALUE_STRING) {
                try {
                    seconds = Double.parseDouble(parser.getString().trim());
                } catch (NumberFormatException e) {
                    seconds = -1;
                }
            }
            if (!(seconds > 0) || seconds > 1e6) {
                throw new IllegalArgumentException("timeout must be a number of seconds > 0");
            }
            return seconds;
        }

        /** A list of group names, or of objects naming one in {@code model} (their other keys are not used). */
        private static @Nullable List<String> groups(String name, JsonParser parser) {
            if (parser.currentToken() == JsonToken.VALUE_NULL) {
                return null;
            }
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(name + " must be a list of model names");
            }
            List<String> groups = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() == JsonToken.VALUE_STRING) {
                    groups.add(parser.getString());
                } else if (parser.currentToken() == JsonToken.START_OBJECT) {
                    String model = null;
                    while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                        String key = parser.currentName();
                        parser.nextToken();
                        if (key.equals("model") && parser.currentToken() == JsonToken.VALUE_STRING) {
                            model = parser.getString();
                        } else {
                            parser.skipChildren();
                        }
                    }
                    if (model == null) {
                        throw new IllegalArgumentException(name + ": each object must name a \"model\"");
                    }
                    groups.add(model);
                } else {
                    throw new IllegalArgumentException(name + " must be a list of model names");
                }
            }
            return Collections.unmodifiableList(groups);
        }

        /** {@code [{group: [fallbacks]}, ...]}, or a plain list of names for any group ({@code *}). */
        private static @Nullable Map<String, List<String>> groupMap(String name, JsonParser parser) {
            if (parser.currentToken() == JsonToken.VALUE_NULL) {
                return null;
            }
            if (parser.currentToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(name + " must be a list");
            }
            Map<String, List<String>> map = new LinkedHashMap<>();
            List<String> any = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() == JsonToken.VALUE_STRING) {
                    any.add(parser.getString());
                    continue;
                }
                if (parser.currentToken() != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException(name + " must be a list of {group: [fallbacks]} objects");
                }
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String group = parser.currentName();
                    parser.nextToken();
                    List<String> list = groups(name, parser);
                    map.put(group, list == null ? List.of() : list);
                }
            }
            if (!any.isEmpty()) {
                map.putIfAbsent("*", List.copyOf(any));
            }
            return Collections.unmodifiableMap(map);
        }
    }
}
