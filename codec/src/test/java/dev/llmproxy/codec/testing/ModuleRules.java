package dev.llmproxy.codec.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * ArchUnit rules that every module's {@code ArchitectureTest} applies to what its test classpath can see.
 *
 * <p>A module is the first package segment under {@code dev.llmproxy} ({@code codec}, {@code proxy}, {@code bench},
 * {@code cli}, and later {@code limiter}, {@code store}). Thread-safety: stateless.
 */
public final class ModuleRules {
    private static final String ROOT = "dev.llmproxy.";

    private ModuleRules() {
    }

    /**
     * No class of ours depends on a package named {@code internal} (at any depth) of another module: such packages
     * are module-private even though their types are public (STYLE.md section 1).
     */
    public static ArchRule noModuleUsesAnotherModulesInternals() {
        return classes().that().resideInAPackage("dev.llmproxy..")
                .should(new ArchCondition<JavaClass>("not depend on another module's internal packages") {
                    @Override
                    public void check(JavaClass origin, ConditionEvents events) {
                        String ownModule = module(origin.getPackageName());
                        for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                            String target = dependency.getTargetClass().getBaseComponentType().getPackageName();
                            if (isInternal(target) && !module(target).equals(ownModule)) {
                                events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                            }
                        }
                    }
                });
    }

    private static String module(String packageName) {
        if (!packageName.startsWith(ROOT)) {
            return "";
        }
        int end = packageName.indexOf('.', ROOT.length());
        return end < 0 ? packageName.substring(ROOT.length()) : packageName.substring(ROOT.length(), end);
    }

    private static boolean isInternal(String packageName) {
        return packageName.startsWith(ROOT)
                && (packageName.endsWith(".internal") || packageName.contains(".internal."));
    }
}
