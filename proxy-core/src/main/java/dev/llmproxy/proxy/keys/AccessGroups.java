package dev.llmproxy.proxy.keys;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LiteLLM's model access groups: names given to sets of model groups in {@code model_list[].model_info.access_groups}.
 * A key's or team's {@code models} entry naming a group allows every model of the group; the lists are expanded once,
 * when the key or team is cached, so that the request path checks a plain set.
 *
 * <p>Thread-safety: immutable.
 */
public final class AccessGroups {
    /** No access groups configured. */
    public static final AccessGroups NONE = new AccessGroups(Map.of());

    private final Map<String, Set<String>> models;

    private AccessGroups(Map<String, Set<String>> models) {
        this.models = models;
    }

    /** The groups of {@code groupToModels}: access group name to the public model names in it. */
    public static AccessGroups of(Map<String, ? extends Collection<String>> groupToModels) {
        Map<String, Set<String>> copy = new HashMap<>();
        groupToModels.forEach((group, names) -> copy.put(group, Set.copyOf(names)));
        return new AccessGroups(Map.copyOf(copy));
    }

    /** {@code list} with every access group it names followed by the group's models (the group name stays). */
    List<String> expand(List<String> list) {
        if (models.isEmpty()) {
            return list;
        }
        Set<String> out = new LinkedHashSet<>(list);
        for (String entry : list) {
            Set<String> members = models.get(entry);
            if (members != null) {
                out.addAll(members);
            }
        }
        return new ArrayList<>(out);
    }
}
