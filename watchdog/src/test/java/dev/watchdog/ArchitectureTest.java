package dev.watchdog;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, checked on every build: no cycle among the packages (the root package,
 * which wires, counted as one of them), and a pure core that decides from values and time alone,
 * with no Vert.x, store, HTTP, logging or database in it.
 */
class ArchitectureTest {

    static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.watchdog");

    /** Each package a slice, the root package too. */
    static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String pkg = c.getPackageName();
            return pkg.equals("dev.watchdog") ? SliceIdentifier.of("root")
                    : pkg.startsWith("dev.watchdog.") ? SliceIdentifier.of(pkg.substring("dev.watchdog.".length()).split("\\.")[0])
                    : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "the packages of dev.watchdog";
        }
    };

    static final ArchRule NO_CYCLES = slices().assignedFrom(PACKAGES).should().beFreeOfCycles();

    static final ArchRule PURE_CORE = noClasses()
            .that().resideInAnyPackage("dev.watchdog.core..", "dev.watchdog.rules..", "dev.watchdog.judge..",
                    "dev.watchdog.stats..", "dev.watchdog.incident..", "dev.watchdog.machine..")
            .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "dev.watchdog.store..",
                    "dev.watchdog.http..", "dev.watchdog.action..", "org.slf4j..", "ch.qos.logback..", "java.sql..",
                    "java.net.http..", "com.zaxxer..")
            .because("decisions are pure: tested with values and a clock, never with I/O");

    static final ArchRule ROOT_ONLY_WIRES = noClasses().that().resideOutsideOfPackage("dev.watchdog")
            .and().resideOutsideOfPackage("dev.watchdog.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.watchdog")
            .because("the root package wires the others: nothing but the command line sits above it");

    @Test
    @DisplayName("no package depends, through any path, on a package that depends on it")
    void noCycles() {
        NO_CYCLES.check(MAIN);
    }

    @Test
    @DisplayName("the pure core (core, rules, judge, stats, incident, machine) uses no Vert.x, store, HTTP, logging or database")
    void pureCore() {
        PURE_CORE.check(MAIN);
    }

    @Test
    @DisplayName("only the command line depends on the root package, which wires the rest")
    void rootOnlyWires() {
        ROOT_ONLY_WIRES.check(MAIN);
    }
}
