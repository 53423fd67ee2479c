package dev.llmproxy.cli;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in log text: API keys by their well-known shapes (OpenAI-style {@code sk-}, Google {@code AIza},
 * GitHub tokens), bearer and basic tokens, values of key-, token-, secret- and password-like fields, and the password
 * of URLs ({@code postgresql://user:pw@host}). Log lines are built from requests and configs, so a key can reach one
 * through an exception message even though llmproxy never logs keys on purpose. LiteLLM does the same by default.
 *
 * <p>Thread-safety: stateless.
 */
final class SecretRedactor {
    static final String MASK = "[REDACTED]";

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=\\-]{6,}"), "$1 " + MASK),
            new Rule(Pattern.compile("(?i)(\"?[a-z0-9_\\-]*(?:api[_\\-]?key|token|secret|password|passwd|"
                    + "authorization)\"?\\s*[:=]\\s*\"?)([^\\s\",}&]+)"), "$1" + MASK),
            new Rule(Pattern.compile("\\bsk-[A-Za-z0-9_\\-]{6,}"), "sk-" + MASK),
            new Rule(Pattern.compile("\\bAIza[0-9A-Za-z_\\-]{20,}"), MASK),
            new Rule(Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{20,}"), MASK),
            new Rule(Pattern.compile("(://[^/\\s:@]+:)[^@\\s/]+@"), "$1" + MASK + "@"));

    private SecretRedactor() {}

    /** {@code text} with every credential it recognises replaced by {@link #MASK}. */
    static String redact(String text) {
        String result = text;
        for (Rule rule : RULES) {
            Matcher matcher = rule.pattern.matcher(result);
            if (matcher.find()) {
                result = matcher.replaceAll(rule.replacement);
            }
        }
        return result;
    }

    private record Rule(Pattern pattern, String replacement) {}
}
