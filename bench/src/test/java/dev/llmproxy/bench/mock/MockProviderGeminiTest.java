package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock's Google endpoints: Gemini answers and streams, key checks, and the token endpoint's JWT checks. */
class MockProviderGeminiTest {
    private static final String PATH = "/v1beta/models/gemini-2.5-flash:";
    private static final String BODY = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"},"
            + "{\"text\":\"{\\\"mock_chunks\\\":2}\"}]}]}";

    private final KeyPair keys = keyPair();
    private MockProvider mock;
    private HttpClient client;

    @BeforeEach
    void start() {
        mock = MockProvider.start(MockProviderConfig.builder().recordRequests(true).googleTokenKey(keys.getPublic())
                .build());
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void shouldAnswerGenerateContentWithControlsReadFromPrompt() throws Exception {
        HttpResponse<String> response = post(PATH + "generateContent", BODY, "x-goog-api-key", "k");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"tok tok \"}],"
                + "\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{"
                + "\"promptTokenCount\":10,\"candidatesTokenCount\":2,\"totalTokenCount\":12},"
                + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"mock-gemini-01\"}");
    }

    @Test
    void shouldStreamCrlfEventsWithFinishReasonLastAndNoDone() throws Exception {
        HttpResponse<String> response = post(PATH + "streamGenerateContent?alt=sse&key=k", BODY);

        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        String[] events = response.body().split("\r\n\r\n");
        assertThat(events).hasSize(3);
        assertThat(events[0]).startsWith("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"tok \"}]");
        assertThat(events[2]).contains("\"finishReason\":\"STOP\"").contains("\"candidatesTokenCount\":2");
        assertThat(response.body()).doesNotContain("[DONE]");
    }

    @Test
    void shouldRefuseCallsWithoutKeyAsGoogleDoes() throws Exception {
        HttpResponse<String> response = post(PATH + "generateContent", BODY);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("\"code\":403").contains("\"status\":\"PERMISSION_DENIED\"");
    }

    @Test
    void shouldIssueTokenForSignedAssertionAndAcceptItOnVertexPaths() throws Exception {
        HttpResponse<String> refused = post("/token", form(assertion(keyPair())), "content-type",
                "application/x-www-form-urlencoded");
        HttpResponse<String> issued = post("/token", form(assertion(keys)), "content-type",
                "application/x-www-form-urlencoded");
        String vertex = "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent";
        HttpResponse<String> withToken = post(vertex, BODY, "authorization", "Bearer ya29.mock-1");
        HttpResponse<String> withoutToken = post(vertex, BODY, "authorization", "Bearer made-up");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("\"error\":\"invalid_grant\"").contains("Invalid JWT Signature.");
        assertThat(issued.body()).isEqualTo("{\"access_token\":\"ya29.mock-1\",\"expires_in\":3599,"
                + "\"token_type\":\"Bearer\"}");
        assertThat(withToken.statusCode()).isEqualTo(200);
        assertThat(withoutToken.statusCode()).isEqualTo(401);
        assertThat(mock.googleTokenRequests()).isEqualTo(2);
    }

    private static String form(String assertion) {
        return "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion;
    }

    private static String assertion(KeyPair signer) throws Exception {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String input = url.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + url.encodeToString(("{\"iss\":\"a@b\",\"scope\":\"s\",\"aud\":\"t\",\"iat\":100,"
                        + "\"exp\":3700}").getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(signer.getPrivate());
        rsa.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + url.encodeToString(rsa.sign());
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(mock.origin() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
