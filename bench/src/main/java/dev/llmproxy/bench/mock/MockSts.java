package dev.llmproxy.bench.mock;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * AWS STS's query API as the mock speaks it: {@code POST /} with a form body whose {@code Action} is
 * {@code AssumeRole} (SigV4-signed for the {@code sts} service with {@link BedrockExchanges#ACCESS_KEY_ID}, verified
 * as for Bedrock) or {@code AssumeRoleWithWebIdentity} (not signed; the token must be {@link #WEB_IDENTITY_TOKEN}).
 * The answer is STS's documented XML with the temporary credentials {@link #ACCESS_KEY_ID},
 * {@link #SECRET_ACCESS_KEY} and {@link #SESSION_TOKEN}, valid for {@code DurationSeconds} (default 3600); a refusal
 * is STS's {@code <ErrorResponse>} with a {@code Code} and {@code Message}.
 *
 * <p>Thread-safety: stateless.
 */
public final class MockSts {
    /** The temporary access key STS hands out, which the Bedrock routes accept with {@link #SESSION_TOKEN}. */
    public static final String ACCESS_KEY_ID = "ASIAMOCKSTSTEMP";
    /** The secret of {@link #ACCESS_KEY_ID}. */
    public static final String SECRET_ACCESS_KEY = "mock/sts/temporary+secret";
    public static final String SESSION_TOKEN = "FwoGZXIvYXdzEMockSessionToken==";
    /** The web identity token {@code AssumeRoleWithWebIdentity} accepts. */
    public static final String WEB_IDENTITY_TOKEN = "mock.web.identity-token";
    private static final String XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

    private MockSts() {
    }

    /** Whether {@code request} is an STS call: a form POST to {@code /}. */
    static boolean handles(FullHttpRequest request, String path) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return HttpMethod.POST.equals(request.method()) && path.equals("/") && type != null
                && type.startsWith("application/x-www-form-urlencoded");
    }

    static FullHttpResponse answer(FullHttpRequest request) {
        Map<String, String> form = form(request.content().toString(StandardCharsets.UTF_8));
        String action = form.getOrDefault("Action", "");
        if (!"2011-06-15".equals(form.get("Version")) || form.get("RoleArn") == null
                || form.get("RoleSessionName") == null) {
            return error(HttpResponseStatus.BAD_REQUEST, "MissingParameter",
                    "Version, RoleArn and RoleSessionName are required");
        }
        if (action.equals("AssumeRole")) {
            String refusal = BedrockExchanges.authProblem(request, "sts");
            if (refusal != null) {
                return error(HttpResponseStatus.FORBIDDEN, "SignatureDoesNotMatch", refusal);
            }
        } else if (action.equals("AssumeRoleWithWebIdentity")) {
            if (!WEB_IDENTITY_TOKEN.equals(form.get("WebIdentityToken"))) {
                return error(HttpResponseStatus.BAD_REQUEST, "InvalidIdentityToken",
                        "Couldn't retrieve verification key from your identity provider");
            }
        } else {
            return error(HttpResponseStatus.BAD_REQUEST, "InvalidAction", "Could not find operation " + action);
        }
        long duration = Long.parseLong(form.getOrDefault("DurationSeconds", "3600"));
        String expiration = Instant.now().plusSeconds(duration).truncatedTo(ChronoUnit.SECONDS).toString();
        return xml(HttpResponseStatus.OK, "<" + action + "Response xmlns=\"" + XMLNS + "\"><" + action + "Result>"
                + "<AssumedRoleUser><Arn>" + form.get("RoleArn").replace(":role/", ":assumed-role/") + "/"
                + form.get("RoleSessionName") + "</Arn><AssumedRoleId>AROAMOCK:" + form.get("RoleSessionName")
                + "</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>" + ACCESS_KEY_ID + "</AccessKeyId>"
                + "<SecretAccessKey>" + SECRET_ACCESS_KEY + "</SecretAccessKey><SessionToken>" + SESSION_TOKEN
                + "</SessionToken><Expiration>" + expiration + "</Expiration></Credentials>"
                + "<PackedPolicySize>6</PackedPolicySize></" + action + "Result><ResponseMetadata><RequestId>"
                + "c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></" + action + "Response>");
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static FullHttpResponse error(HttpResponseStatus status, String code, String message) {
        return xml(status, "<ErrorResponse xmlns=\"" + XMLNS + "\"><Error><Type>Sender</Type><Code>" + code
                + "</Code><Message>" + message.replace("&", "&amp;").replace("<", "&lt;") + "</Message></Error>"
                + "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>");
    }

    private static FullHttpResponse xml(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/xml")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }
}
