package dev.llmproxy.bench.mock;

import dev.llmproxy.codec.bedrock.SigV4;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Checks a Bedrock Converse request as AWS would before the mock answers it (provider spec, sections 5.2 and 9):
 *
 * <ul>
 *   <li>authentication: a bearer token (a Bedrock API key), or a SigV4 {@code Authorization} for
 *       {@link #ACCESS_KEY_ID} (or the temporary {@link MockSts#ACCESS_KEY_ID} with its session token) that the
 *       mock recomputes with the key's secret over the signed headers, the
 *       path (each segment encoded again) and the body; none → 403 {@code MissingAuthenticationTokenException}, a
 *       wrong signature → 403 {@code InvalidSignatureException}, another key → 403
 *       {@code UnrecognizedClientException};
 *   <li>the body: a JSON object with {@code messages} and no top-level field Converse does not define → else 400
 *       {@code ValidationException} (so that a translation leaking OpenAI or {@code mock_*} fields fails).
 * </ul>
 *
 * <p>{@code mock_*} controls ride inside a text block of the prompt, as for Gemini ({@link GeminiRequestParser}).
 *
 * <p>Thread-safety: stateless.
 */
public final class BedrockExchanges {
    /** The access key the mock accepts. */
    public static final String ACCESS_KEY_ID = "AKIDMOCKBEDROCK";
    /** Its secret. */
    public static final String SECRET_ACCESS_KEY = "mock/bedrock/secret+key";
    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> CONVERSE_FIELDS = Set.of("messages", "system", "inferenceConfig", "toolConfig",
            "guardrailConfig", "additionalModelRequestFields", "promptVariables",
            "additionalModelResponseFieldPaths", "requestMetadata", "performanceConfig");

    private static final Set<String> TITAN_V2_FIELDS = Set.of("inputText", "dimensions", "normalize",
            "embeddingTypes");
    private static final Set<String> TITAN_IMAGE_FIELDS = Set.of("inputText", "inputImage", "embeddingConfig");
    private static final Set<String> COHERE_EMBED_FIELDS = Set.of("texts", "input_type", "truncate",
            "embedding_types", "output_dimension", "images");

    private static final Set<String> AMAZON_IMAGE_FIELDS = Set.of("taskType", "textToImageParams",
            "imageGenerationConfig");
    private static final Set<String> STABILITY_IMAGE_FIELDS = Set.of("prompt", "aspect_ratio", "mode",
            "output_format", "seed", "negative_prompt");

    private BedrockExchanges() {
    }

    static MockRequestHandler.Exchange of(FullHttpRequest request, MockRoute route, MockRequest parsed,
            boolean keepAlive, String label) {
        String refusal = authProblem(request, "bedrock");
        if (refusal != null) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, refusal, 403);
        }
        if (route.isBedrockEmbedding()) {
            return embed(request, route, parsed, keepAlive, label);
        }
        if (route.isBedrockImage()) {
            return image(request, route, parsed, keepAlive, label);
        }
        if (route.isBedrockInvoke()) {
            return invoke(request, route, parsed, keepAlive, label);
        }
        String body = request.content().toString(StandardCharsets.UTF_8);
        try {
            GeminiRequestParser.parse(request.content(), parsed);
        } catch (JacksonException | IllegalArgumentException e) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "The provided request is not valid JSON", 400);
        }
        String extra = extraneousField(request.content());
        if (extra != null) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "extraneous key [" + extra + "] is not permitted", 400);
        }
        if (!body.contains("\"messages\"")) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must "
                            + "not be null", 400);
        }
        parsed.model = route.name();
        parsed.stream = route.endpoint() == MockRoute.Endpoint.CONVERSE_STREAM;
        return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, null);
    }

    /**
     * InvokeModel for Claude: Anthropic's Messages body with {@code anthropic_version: bedrock-2023-05-31}, no
     * {@code model} and no {@code stream} (Bedrock refuses both), else 400 {@code ValidationException}.
     */
    private static MockRequestHandler.Exchange invoke(FullHttpRequest request, MockRoute route, MockRequest parsed,
            boolean keepAlive, String label) {
        String body = request.content().toString(StandardCharsets.UTF_8);
        try {
            // The controls ride in a text block, which the Gemini parser finds wherever it is.
            GeminiRequestParser.parse(request.content(), parsed);
        } catch (JacksonException | IllegalArgumentException e) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "The provided request is not valid JSON", 400);
        }
        String problem = !body.contains("\"anthropic_version\":\"bedrock-2023-05-31\"")
                ? "anthropic_version: Invalid value" : !body.contains("\"messages\"")
                ? "messages: field required" : body.contains("\"model\":") ? "extraneous key [model] is not permitted"
                : body.contains("\"stream\":") ? "extraneous key [stream] is not permitted" : null;
        if (problem != null) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, problem, 400);
        }
        parsed.model = route.name();
        parsed.stream = route.endpoint() == MockRoute.Endpoint.INVOKE_STREAM;
        return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, null);
    }

    /**
     * InvokeModel for an embedding model: Titan's one {@code inputText} (v2: {@code dimensions} of 256, 512 or 1024,
     * {@code normalize}, {@code embeddingTypes}; the multimodal model: {@code inputImage}, {@code embeddingConfig})
     * or Cohere's {@code texts} (at most 96) with {@code input_type}; another field, or a missing one, is a 400
     * {@code ValidationException}. The controls ride in an input text.
     */
    private static MockRequestHandler.Exchange embed(FullHttpRequest request, MockRoute route, MockRequest parsed,
            boolean keepAlive, String label) {
        String model = route.name();
        boolean cohere = model.contains("cohere.");
        Set<String> allowed = cohere ? COHERE_EMBED_FIELDS : model.contains("titan-embed-image") ? TITAN_IMAGE_FIELDS
                : model.contains("titan-embed-text-v2") ? TITAN_V2_FIELDS : Set.of("inputText");
        String problem;
        try {
            GeminiRequestParser.parse(request.content(), parsed);
            problem = fieldProblem(request.content(), allowed);
        } catch (JacksonException | IllegalArgumentException e) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "The provided request is not valid JSON", 400);
        }
        String body = request.content().toString(StandardCharsets.UTF_8);
        if (problem == null && cohere) {
            problem = !body.contains("\"texts\":[") ? "texts: field required"
                    : !body.contains("\"input_type\":") ? "input_type: field required"
                    : parsed.embedTexts.size() > 96 ? "texts: at most 96 items" : null;
        } else if (problem == null) {
            problem = !body.contains("\"inputText\":") && !body.contains("\"inputImage\":")
                    ? "inputText: field required" : parsed.dimensions != MockRequest.UNSET
                    && parsed.dimensions != 256 && parsed.dimensions != 512 && parsed.dimensions != 1024
                    ? "dimensions: must be one of 256, 512, 1024" : null;
        }
        if (problem != null) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, problem, 400);
        }
        parsed.model = model;
        return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, null);
    }

    /**
     * InvokeModel for an image model: Amazon's {@code taskType: TEXT_IMAGE} with {@code textToImageParams.text}
     * (and {@code imageGenerationConfig}), or Stability's {@code prompt}; another field, or a missing one, is a 400
     * {@code ValidationException}. The controls ride in the prompt.
     */
    private static MockRequestHandler.Exchange image(FullHttpRequest request, MockRoute route, MockRequest parsed,
            boolean keepAlive, String label) {
        boolean stability = route.name().startsWith("stability.");
        String problem;
        try {
            GeminiRequestParser.parse(request.content(), parsed);
            problem = fieldProblem(request.content(), stability ? STABILITY_IMAGE_FIELDS : AMAZON_IMAGE_FIELDS);
        } catch (JacksonException | IllegalArgumentException e) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label,
                    "The provided request is not valid JSON", 400);
        }
        String body = request.content().toString(StandardCharsets.UTF_8);
        if (problem == null) {
            problem = stability ? (body.contains("\"prompt\":") ? null : "prompt: field required")
                    : !body.contains("\"taskType\":\"TEXT_IMAGE\"") ? "taskType: field required"
                    : !body.contains("\"textToImageParams\":{\"text\":") ? "textToImageParams.text: field required"
                    : null;
        }
        if (problem != null) {
            return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, problem, 400);
        }
        parsed.model = route.name();
        return new MockRequestHandler.Exchange(route, parsed, keepAlive, label, null);
    }

    /** The first top-level field the body has that is not {@code allowed}, as Bedrock words it, or {@code null}. */
    private static @Nullable String fieldProblem(ByteBuf body, Set<String> allowed) {
        InputStream in = new ByteBufInputStream(body.duplicate());
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), in)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                if (!allowed.contains(name)) {
                    return "extraneous key [" + name + "] is not permitted";
                }
                p.nextToken();
                p.skipChildren();
            }
            return null;
        }
    }

    /** The first top-level field Converse does not define, or {@code null}. */
    private static @Nullable String extraneousField(ByteBuf body) {
        InputStream in = new ByteBufInputStream(body.duplicate());
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), in)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                if (!CONVERSE_FIELDS.contains(name)) {
                    return name;
                }
                p.nextToken();
                p.skipChildren();
            }
            return null;
        }
    }

    /** Why AWS would refuse the request's credentials for {@code service}, or {@code null}. */
    static @Nullable String authProblem(FullHttpRequest request, String service) {
        HttpHeaders headers = request.headers();
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null) {
            return "Missing Authentication Token";
        }
        if (authorization.startsWith("Bearer ")) {
            return null;
        }
        String credential = part(authorization, "Credential=");
        String signedHeaders = part(authorization, "SignedHeaders=");
        String signature = part(authorization, "Signature=");
        String amzDate = headers.get("x-amz-date");
        if (!authorization.startsWith("AWS4-HMAC-SHA256 ") || credential == null || signedHeaders == null
                || signature == null || amzDate == null) {
            return "Authorization header requires 'Credential', 'Signature', 'SignedHeaders' and an X-Amz-Date.";
        }
        String[] scope = credential.split("/");
        String secret = scope.length != 5 ? null : scope[0].equals(ACCESS_KEY_ID) ? SECRET_ACCESS_KEY
                : scope[0].equals(MockSts.ACCESS_KEY_ID)
                        && MockSts.SESSION_TOKEN.equals(headers.get("x-amz-security-token"))
                        && signedHeaders.contains("x-amz-security-token") ? MockSts.SECRET_ACCESS_KEY : null;
        if (secret == null) {
            return "The security token included in the request is invalid.";
        }
        TreeMap<String, String> signed = new TreeMap<>();
        for (String name : signedHeaders.split(";")) {
            String value = headers.get(name);
            signed.put(name, value == null ? "" : value);
        }
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        MessageDigest digest = SigV4.sha256();
        ByteBuf body = request.content();
        digest.update(body.nioBuffer(body.readerIndex(), body.readableBytes()));
        String expected = new SigV4(scope[0], secret, scope[2], scope[3]).authorization(
                request.method().name(), SigV4.canonicalPath(path), query < 0 ? "" : uri.substring(query + 1),
                signed, SigV4.hex(digest.digest()), amzDate);
        if (!expected.endsWith("Signature=" + signature) || !scope[3].equals(service)
                || !scope[1].equals(amzDate.substring(0, 8))) {
            return "The request signature we calculated does not match the signature you provided. Check your AWS "
                    + "Secret Access Key and signing method. Consult the service documentation for details.";
        }
        return null;
    }

    private static @Nullable String part(String authorization, String key) {
        int start = authorization.indexOf(key);
        if (start < 0) {
            return null;
        }
        start += key.length();
        int end = authorization.indexOf(',', start);
        return (end < 0 ? authorization.substring(start) : authorization.substring(start, end)).trim();
    }
}
