package dev.llmproxy.bench.mock;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The AWS credential endpoints outside STS as the mock speaks them, each handing out the temporary credentials of
 * {@link MockSts} (which the Bedrock routes accept), valid for an hour:
 * <ul>
 *   <li>the IAM Identity Center portal: {@code GET /federation/credentials?role_name=..&account_id=..} with
 *       {@code x-amz-sso_bearer_token: }{@link #SSO_ACCESS_TOKEN} answers {@code {"roleCredentials": {...}}}
 *       (expiration in epoch milliseconds); any other token is refused with 401 {@code UnauthorizedException};
 *   <li>the container credentials endpoint: {@code GET /v1/credentials...} or {@code /v2/credentials/...} with
 *       {@code Authorization: }{@link #CONTAINER_TOKEN} answers {@code AccessKeyId}, {@code SecretAccessKey},
 *       {@code Token}, {@code Expiration}; another token, 401;
 *   <li>the EC2 instance metadata service, IMDSv2 only: {@code PUT /latest/api/token} (with
 *       {@code x-aws-ec2-metadata-token-ttl-seconds}) gives {@link #IMDS_TOKEN}, which
 *       {@code GET /latest/meta-data/iam/security-credentials/} (the role {@link #INSTANCE_ROLE}) and
 *       {@code .../<role>} require in {@code x-aws-ec2-metadata-token}, else 401.
 * </ul>
 *
 * <p>Thread-safety: stateless.
 */
public final class MockAwsCredentials {
    /** The access token {@code aws sso login} would have cached, which the portal accepts. */
    public static final String SSO_ACCESS_TOKEN = "mock-sso-access-token";
    /** The container authorization token the container endpoint accepts. */
    public static final String CONTAINER_TOKEN = "mock-container-authorization-token";
    /** The IMDSv2 session token the metadata service hands out. */
    public static final String IMDS_TOKEN = "mock-imds-session-token==";
    /** The instance's role. */
    public static final String INSTANCE_ROLE = "mock-instance-role";
    private static final String ROLES = "/latest/meta-data/iam/security-credentials/";

    private MockAwsCredentials() {
    }

    /** Whether {@code request} asks one of these endpoints. */
    static boolean handles(FullHttpRequest request, String path) {
        if (HttpMethod.PUT.equals(request.method())) {
            return path.equals("/latest/api/token");
        }
        return HttpMethod.GET.equals(request.method()) && (path.equals("/federation/credentials")
                || path.startsWith("/v1/credentials") || path.startsWith("/v2/credentials/")
                || path.startsWith(ROLES));
    }

    static FullHttpResponse answer(FullHttpRequest request, String path) {
        if (path.equals("/federation/credentials")) {
            return sso(request);
        }
        if (path.startsWith("/v1/credentials") || path.startsWith("/v2/credentials/")) {
            return CONTAINER_TOKEN.equals(request.headers().get(HttpHeaderNames.AUTHORIZATION))
                    ? json(HttpResponseStatus.OK, metadataCredentials(false))
                    : json(HttpResponseStatus.UNAUTHORIZED, "{\"message\":\"invalid authorization token\"}");
        }
        if (path.equals("/latest/api/token")) {
            return request.headers().contains("x-aws-ec2-metadata-token-ttl-seconds")
                    ? text(HttpResponseStatus.OK, IMDS_TOKEN) : text(HttpResponseStatus.BAD_REQUEST, "");
        }
        if (!IMDS_TOKEN.equals(request.headers().get("x-aws-ec2-metadata-token"))) {
            return text(HttpResponseStatus.UNAUTHORIZED, "");
        }
        if (path.equals(ROLES)) {
            return text(HttpResponseStatus.OK, INSTANCE_ROLE);
        }
        return path.equals(ROLES + INSTANCE_ROLE) ? json(HttpResponseStatus.OK, metadataCredentials(true))
                : text(HttpResponseStatus.NOT_FOUND, "");
    }

    private static FullHttpResponse sso(FullHttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        if (!SSO_ACCESS_TOKEN.equals(request.headers().get("x-amz-sso_bearer_token"))) {
            FullHttpResponse refused = json(HttpResponseStatus.UNAUTHORIZED,
                    "{\"message\":\"Session token not found or invalid\"}");
            refused.headers().set("x-amzn-ErrorType", "UnauthorizedException");
            return refused;
        }
        if (query.parameters().getOrDefault("role_name", List.of()).isEmpty()
                || query.parameters().getOrDefault("account_id", List.of()).isEmpty()) {
            return json(HttpResponseStatus.BAD_REQUEST, "{\"message\":\"role_name and account_id are required\"}");
        }
        return json(HttpResponseStatus.OK, "{\"roleCredentials\":{\"accessKeyId\":\"" + MockSts.ACCESS_KEY_ID
                + "\",\"secretAccessKey\":\"" + MockSts.SECRET_ACCESS_KEY + "\",\"sessionToken\":\""
                + MockSts.SESSION_TOKEN + "\",\"expiration\":" + expiry().toEpochMilli() + "}}");
    }

    private static String metadataCredentials(boolean instance) {
        return "{" + (instance ? "\"Code\":\"Success\",\"LastUpdated\":\"" + Instant.now()
                .truncatedTo(ChronoUnit.SECONDS) + "\",\"Type\":\"AWS-HMAC\"," : "\"RoleArn\":"
                + "\"arn:aws:iam::123456789012:role/mock-task-role\",") + "\"AccessKeyId\":\"" + MockSts.ACCESS_KEY_ID
                + "\",\"SecretAccessKey\":\"" + MockSts.SECRET_ACCESS_KEY + "\",\"Token\":\"" + MockSts.SESSION_TOKEN
                + "\",\"Expiration\":\"" + expiry() + "\"}";
    }

    private static Instant expiry() {
        return Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        return text(status, body, "application/json");
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return text(status, body, "text/plain");
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }
}
