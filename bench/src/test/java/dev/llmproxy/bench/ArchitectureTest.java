package dev.llmproxy.bench;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.llmproxy.codec.testing.ModuleRules;

/** Bench may use anything public, but not another module's {@code internal} packages (STYLE.md section 1). */
@AnalyzeClasses(packages = "dev.llmproxy")
final class ArchitectureTest {

    @ArchTest
    static final ArchRule noModuleShouldUseAnotherModulesInternals = ModuleRules.noModuleUsesAnotherModulesInternals();
}
