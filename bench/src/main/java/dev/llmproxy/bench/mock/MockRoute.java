package dev.llmproxy.bench.mock;

import io.netty.handler.codec.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a request goes: the endpoint and, for Azure-style paths or {@code models/{id}}, the name found in the path.
 * Accepted paths: {@code [/v1]/chat/completions}, {@code [/v1]/completions}, {@code [/v1]/embeddings},
 * {@code [/v1]/messages} and {@code [/v1]/messages/count_tokens} (Anthropic), {@code [/v1]/audio/speech},
 * {@code [/v1]/images/generations}, {@code [/v1]/moderations}, {@code [/v1]/rerank} and {@code /v2/rerank},
 * {@code [/v1]/models[/{id}]}, {@code GET}/{@code DELETE [/v1]/responses/{id}[/input_items]} and
 * {@code /openai/deployments/{deployment}/(chat/completions|completions|embeddings)};
 * the query string (Azure's {@code api-version}) is ignored. Google's paths: any path ending
 * {@code /models/{model}:generateContent}, {@code :streamGenerateContent}, {@code :batchEmbedContents},
 * {@code :rawPredict} or {@code :streamRawPredict} (Claude on Vertex AI; its token counting is
 * {@code /models/count-tokens:rawPredict}) (AI Studio's
 * {@code /v1beta/models/...} and Vertex AI's {@code /v1/projects/.../publishers/google/models/...} alike), and the
 * OAuth token endpoint {@code POST /token}. Bedrock's: {@code /model/{modelId}/converse} and
 * {@code /model/{modelId}/converse-stream}, {@code /model/{modelId}/invoke} and
 * {@code /model/{modelId}/invoke-with-response-stream} (the model id URL-decoded).
 *
 * <p>Thread-safety: immutable.
 *
 * @param endpoint what to answer
 * @param name the deployment or model id from the path, {@code ""} when the path has none
 */
record MockRoute(Endpoint endpoint, String name) {
    private static final String V1 = "/v1";
    private static final String AZURE = "/openai/deployments/";
    private static final String MODELS = "/models";
    private static final String GOOGLE_MODELS = "/models/";
    private static final String BEDROCK_MODEL = "/model/";
    private static final String VERTEX_COUNT_TOKENS = "count-tokens";

    enum Endpoint {
        CHAT,
        COMPLETIONS,
        EMBEDDINGS,
        /** Anthropic's Messages API. */
        MESSAGES,
        /** Anthropic's token counting. */
        MESSAGES_COUNT_TOKENS,
        /** OpenAI's Responses API ({@code [/v1]/responses}, Azure's {@code /openai/responses}). */
        RESPONSES,
        /** {@code GET}/{@code DELETE [/v1]/responses/{id}} (Azure's {@code /openai/responses/{id}}); the id is the name. */
        RESPONSE,
        /** {@code GET [/v1]/responses/{id}/input_items}; the id is the name. */
        RESPONSE_INPUT_ITEMS,
        /** OpenAI's text to speech: audio bytes. */
        SPEECH,
        IMAGES,
        MODERATIONS,
        /** Cohere's rerank API ({@code /v1/rerank}, {@code /v2/rerank}), also Jina AI's, Voyage AI's and vLLM's. */
        RERANK,
        /** Gemini's {@code :generateContent}. */
        GENERATE_CONTENT,
        /** Gemini's {@code :streamGenerateContent}. */
        STREAM_GENERATE_CONTENT,
        /** Gemini's {@code :batchEmbedContents}. */
        BATCH_EMBED_CONTENTS,
        /** Vertex AI's {@code :predict} (text embedding models). */
        PREDICT,
        /** Google's OAuth token endpoint. */
        GOOGLE_TOKEN,
        /** Claude on Vertex AI: Anthropic's Messages API behind {@code :rawPredict}. */
        RAW_PREDICT,
        /** Claude on Vertex AI, streamed: {@code :streamRawPredict}. */
        STREAM_RAW_PREDICT,
        /** Bedrock's {@code /model/{modelId}/converse}. */
        CONVERSE,
        /** Bedrock's {@code /model/{modelId}/converse-stream}. */
        CONVERSE_STREAM,
        /** Bedrock's {@code /model/{modelId}/invoke} (a Claude body in Anthropic's format). */
        INVOKE,
        /** Bedrock's {@code /model/{modelId}/invoke-with-response-stream}. */
        INVOKE_STREAM,
        MODELS,
        MODEL,
        NOT_FOUND
    }

    /** Whether this is one of Google's endpoints (Gemini or the token endpoint). */
    boolean isGoogle() {
        return endpoint == Endpoint.GENERATE_CONTENT || endpoint == Endpoint.STREAM_GENERATE_CONTENT
                || endpoint == Endpoint.BATCH_EMBED_CONTENTS || endpoint == Endpoint.PREDICT
                || endpoint == Endpoint.GOOGLE_TOKEN
                || endpoint == Endpoint.RAW_PREDICT || endpoint == Endpoint.STREAM_RAW_PREDICT;
    }

    /** Whether this is Anthropic's Messages API, or its token counting (Anthropic's own or Vertex AI's). */
    boolean isAnthropic() {
        return endpoint == Endpoint.MESSAGES || endpoint == Endpoint.MESSAGES_COUNT_TOKENS;
    }

    /** Whether this asks for a token count: Anthropic's {@code count_tokens} or Vertex AI's {@code count-tokens}. */
    boolean isTokenCount() {
        return endpoint == Endpoint.MESSAGES_COUNT_TOKENS
                || endpoint == Endpoint.RAW_PREDICT && name.equals(VERTEX_COUNT_TOKENS);
    }

    /** Whether this is speech, images, moderations or rerank (OpenAI's format, and Cohere's for rerank). */
    boolean isMedia() {
        return endpoint == Endpoint.SPEECH || endpoint == Endpoint.IMAGES || endpoint == Endpoint.MODERATIONS
                || endpoint == Endpoint.RERANK;
    }

    /** Whether this is one of Bedrock's endpoints. */
    boolean isBedrock() {
        return endpoint == Endpoint.CONVERSE || endpoint == Endpoint.CONVERSE_STREAM || isBedrockInvoke();
    }

    /** Whether this is Bedrock's InvokeModel on an embedding model (Titan or Cohere embed). */
    boolean isBedrockEmbedding() {
        return endpoint == Endpoint.INVOKE && name.contains("embed");
    }

    /** Whether this is Bedrock's InvokeModel on an image model (Titan Image Generator, Nova Canvas, Stability). */
    boolean isBedrockImage() {
        return endpoint == Endpoint.INVOKE && (name.contains("image-generator") || name.contains("nova-canvas")
                || name.startsWith("stability."));
    }

    /** Whether this is Bedrock's InvokeModel, streamed or not. */
    boolean isBedrockInvoke() {
        return endpoint == Endpoint.INVOKE || endpoint == Endpoint.INVOKE_STREAM;
    }

    static MockRoute of(HttpMethod method, String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.startsWith(BEDROCK_MODEL) && HttpMethod.POST.equals(method)) {
            int slash = path.lastIndexOf('/');
            String model = URLDecoder.decode(path.substring(BEDROCK_MODEL.length(), Math.max(slash,
                    BEDROCK_MODEL.length())), StandardCharsets.UTF_8);
            return switch (path.substring(slash + 1)) {
                case "converse" -> new MockRoute(Endpoint.CONVERSE, model);
                case "converse-stream" -> new MockRoute(Endpoint.CONVERSE_STREAM, model);
                case "invoke" -> new MockRoute(Endpoint.INVOKE, model);
                case "invoke-with-response-stream" -> new MockRoute(Endpoint.INVOKE_STREAM, model);
                default -> notFound();
            };
        }
        int models = path.lastIndexOf(GOOGLE_MODELS);
        int colon = path.lastIndexOf(':');
        if (models >= 0 && colon > models && HttpMethod.POST.equals(method)) {
            String model = path.substring(models + GOOGLE_MODELS.length(), colon);
            return switch (path.substring(colon + 1)) {
                case "generateContent" -> new MockRoute(Endpoint.GENERATE_CONTENT, model);
                case "streamGenerateContent" -> new MockRoute(Endpoint.STREAM_GENERATE_CONTENT, model);
                case "batchEmbedContents" -> new MockRoute(Endpoint.BATCH_EMBED_CONTENTS, model);
                case "predict" -> new MockRoute(Endpoint.PREDICT, model);
                case "rawPredict" -> new MockRoute(Endpoint.RAW_PREDICT, model);
                case "streamRawPredict" -> new MockRoute(Endpoint.STREAM_RAW_PREDICT, model);
                default -> notFound();
            };
        }
        if (path.equals("/token") && HttpMethod.POST.equals(method)) {
            return new MockRoute(Endpoint.GOOGLE_TOKEN, "");
        }
        if (path.startsWith("/openai/responses/")) {
            return storedResponse(method, path.substring("/openai/responses/".length()));
        }
        if (path.equals("/openai/responses") || path.equals("/openai/v1/responses")) {
            return HttpMethod.POST.equals(method) ? new MockRoute(Endpoint.RESPONSES, "") : notFound();
        }
        if (path.startsWith(AZURE)) {
            int slash = path.indexOf('/', AZURE.length());
            if (slash < 0 || !HttpMethod.POST.equals(method)) {
                return notFound();
            }
            return post(path.substring(slash), path.substring(AZURE.length(), slash));
        }
        if (path.equals("/v2/rerank")) {
            return HttpMethod.POST.equals(method) ? new MockRoute(Endpoint.RERANK, "") : notFound();
        }
        if (path.startsWith(V1 + "/")) {
            path = path.substring(V1.length());
        }
        if (path.startsWith("/responses/")) {
            return storedResponse(method, path.substring("/responses/".length()));
        }
        if (HttpMethod.GET.equals(method)) {
            return get(path);
        }
        return HttpMethod.POST.equals(method) ? post(path, "") : notFound();
    }

    private static MockRoute post(String path, String name) {
        switch (path) {
            case "/chat/completions":
                return new MockRoute(Endpoint.CHAT, name);
            case "/completions":
                return new MockRoute(Endpoint.COMPLETIONS, name);
            case "/embeddings":
                return new MockRoute(Endpoint.EMBEDDINGS, name);
            case "/messages":
                return new MockRoute(Endpoint.MESSAGES, name);
            case "/messages/count_tokens":
                return new MockRoute(Endpoint.MESSAGES_COUNT_TOKENS, name);
            case "/responses":
                return new MockRoute(Endpoint.RESPONSES, name);
            case "/audio/speech":
                return new MockRoute(Endpoint.SPEECH, name);
            case "/images/generations":
                return new MockRoute(Endpoint.IMAGES, name);
            case "/moderations":
                return new MockRoute(Endpoint.MODERATIONS, name);
            case "/rerank":
                return new MockRoute(Endpoint.RERANK, name);
            default:
                return notFound();
        }
    }

    private static MockRoute get(String path) {
        if (path.equals(MODELS)) {
            return new MockRoute(Endpoint.MODELS, "");
        }
        if (path.startsWith(MODELS + "/") && path.length() > MODELS.length() + 1) {
            return new MockRoute(Endpoint.MODEL, path.substring(MODELS.length() + 1));
        }
        return notFound();
    }

    private static MockRoute storedResponse(HttpMethod method, String rest) {
        String items = "/input_items";
        if (rest.endsWith(items) && HttpMethod.GET.equals(method)) {
            return new MockRoute(Endpoint.RESPONSE_INPUT_ITEMS, rest.substring(0, rest.length() - items.length()));
        }
        boolean allowed = HttpMethod.GET.equals(method) || HttpMethod.DELETE.equals(method);
        return allowed && rest.indexOf('/') < 0 ? new MockRoute(Endpoint.RESPONSE, rest) : notFound();
    }

    private static MockRoute notFound() {
        return new MockRoute(Endpoint.NOT_FOUND, "");
    }
}
