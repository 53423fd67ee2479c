package dev.llmproxy.proxy.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The deployments of one wildcard {@code model_name} ({@code *}, {@code openai/*}). Like LiteLLM's
 * {@code PatternMatchRouter} ({@code litellm/router_utils/pattern_match_deployments.py}), each {@code *} matches any
 * text, and each {@code *} of {@code litellm_params.model} is replaced, in order, by what the {@code *}s of the
 * model name matched. Thread-safety: immutable.
 */
final class WildcardGroup {

    /** More literal characters first, then fewer wildcards; ties keep config order (the sort is stable). */
    static final Comparator<WildcardGroup> MOST_SPECIFIC_FIRST =
            Comparator.comparingInt((WildcardGroup g) -> -g.literalChars).thenComparingInt(g -> g.wildcards);

    private final String pattern;
    private final Pattern regex;
    private final int literalChars;
    private final int wildcards;
    private final List<RouteTable.WildcardMember> members;

    WildcardGroup(String pattern, List<RouteTable.WildcardMember> members) {
        this.pattern = pattern;
        this.members = List.copyOf(members);
        StringBuilder regex = new StringBuilder();
        int stars = 0;
        int start = 0;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '*') {
                regex.append(Pattern.quote(pattern.substring(start, i))).append("(.*)");
                start = i + 1;
                stars++;
            }
        }
        regex.append(Pattern.quote(pattern.substring(start)));
        this.regex = Pattern.compile(regex.toString(), Pattern.DOTALL);
        this.wildcards = stars;
        this.literalChars = pattern.length() - stars;
    }

    /** The route for {@code model} when it matches this pattern and some member can serve it, else {@code null}. */
    @Nullable ModelRoute match(String model) {
        Matcher matcher = regex.matcher(model);
        if (!matcher.matches()) {
            return null;
        }
        String[] segments = new String[matcher.groupCount()];
        for (int i = 0; i < segments.length; i++) {
            segments[i] = matcher.group(i + 1);
        }
        List<Target> targets = new ArrayList<>(members.size());
        List<Deployment> chosen = new ArrayList<>(members.size());
        for (RouteTable.WildcardMember member : members) {
            Target target = target(member, segments);
            if (target != null) {
                targets.add(target);
                chosen.add(target.deployment());
            }
        }
        return targets.isEmpty() ? null : new ModelRoute(model, targets, RouteTable.weights(chosen));
    }

    private static @Nullable Target target(RouteTable.WildcardMember member, String[] segments) {
        Map<String, Deployment> anyProvider = member.anyProvider();
        if (anyProvider != null) {
            ParsedModel parsed = ParsedModel.parse(fill("*", segments));
            if (parsed == null || parsed.provider() == null) {
                return null;
            }
            Deployment deployment = anyProvider.get(parsed.provider().name());
            return deployment == null ? null : deployment.newTarget(parsed.upstreamModel());
        }
        Deployment deployment = member.primary();
        return deployment.isWildcard() ? deployment.newTarget(fill(deployment.upstreamModel(), segments))
                : deployment.target();
    }

    private static String fill(String template, String[] segments) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int next = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '*' && next < segments.length) {
                out.append(segments[next++]);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "WildcardGroup[" + pattern + ", " + members.size() + " deployment(s)]";
    }
}
