package dev.llmproxy.codec.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * SigV4 against AWS's published examples: the aws-sig-v4-test-suite ({@code get-vanilla}, {@code post-vanilla},
 * {@code post-x-www-form-urlencoded}; key {@code AKIDEXAMPLE}, service {@code service}, us-east-1, 2015-08-30
 * 12:36:00 UTC) and the IAM {@code ListUsers} walk-through of the Signature Version 4 documentation.
 */
class SigV4Test {
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final String DATE = "20150830T123600Z";
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private final SigV4 signer = new SigV4("AKIDEXAMPLE", SECRET, "us-east-1", "service");

    @Test
    void shouldMatchGetVanilla() {
        assertThat(signer.authorization("GET", "/", "", headers("host", "example.amazonaws.com"), EMPTY_SHA256, DATE))
                .isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, "
                        + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    @Test
    void shouldMatchPostVanilla() {
        assertThat(signer.authorization("POST", "/", "", headers("host", "example.amazonaws.com"), EMPTY_SHA256,
                DATE)).endsWith("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    }

    @Test
    void shouldMatchPostWithAFormBody() {
        TreeMap<String, String> headers = headers("host", "example.amazonaws.com");
        headers.put("content-type", "application/x-www-form-urlencoded");
        String body = SigV4.sha256Hex("Param1=value1".getBytes(StandardCharsets.UTF_8));
        assertThat(signer.authorization("POST", "/", "", headers, body, DATE))
                .contains("SignedHeaders=content-type;host;x-amz-date,")
                .endsWith("Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
    }

    @Test
    void shouldMatchTheIamListUsersExample() {
        SigV4 iam = new SigV4("AKIDEXAMPLE", SECRET, "us-east-1", "iam");
        TreeMap<String, String> headers = headers("host", "iam.amazonaws.com");
        headers.put("content-type", "application/x-www-form-urlencoded; charset=utf-8");
        assertThat(iam.authorization("GET", "/", "Action=ListUsers&Version=2010-05-08", headers, EMPTY_SHA256,
                DATE)).endsWith("Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    }

    @Test
    void shouldTrimAndCollapseHeaderValues() {
        TreeMap<String, String> spaced = headers("host", "  example.amazonaws.com  ");
        spaced.put("x-amz-meta", "a   b");
        TreeMap<String, String> tight = headers("host", "example.amazonaws.com");
        tight.put("x-amz-meta", "a b");
        assertThat(signer.authorization("GET", "/", "", spaced, EMPTY_SHA256, DATE))
                .isEqualTo(signer.authorization("GET", "/", "", tight, EMPTY_SHA256, DATE));
    }

    @Test
    void shouldEncodeABedrockModelIdTwiceInTheCanonicalPath() {
        String path = "/model/" + SigV4.uriEncode("us.anthropic.claude-3-5-sonnet-20240620-v1:0") + "/converse";
        assertThat(path).isEqualTo("/model/us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");
        assertThat(SigV4.canonicalPath(path))
                .isEqualTo("/model/us.anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse");
        assertThat(SigV4.uriEncode("arn:aws:bedrock:us-east-1:1:inference-profile/x"))
                .isEqualTo("arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx");
    }

    @Test
    void shouldUseTheNewDaysKeyAfterMidnight() {
        String first = signer.authorization("GET", "/", "", headers("host", "h"), EMPTY_SHA256, DATE);
        String nextDay = signer.authorization("GET", "/", "", headers("host", "h"), EMPTY_SHA256,
                "20150831T000001Z");
        String again = signer.authorization("GET", "/", "", headers("host", "h"), EMPTY_SHA256, DATE);
        assertThat(nextDay).contains("/20150831/");
        assertThat(again).isEqualTo(first);
    }

    private static TreeMap<String, String> headers(String name, String value) {
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put(name, value);
        headers.put("x-amz-date", DATE);
        return headers;
    }
}
