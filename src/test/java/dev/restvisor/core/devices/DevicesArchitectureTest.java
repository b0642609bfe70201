package dev.restvisor.core.devices;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core.devices row of ARCHITECTURE.md: pure logic on core.io, one package per device. */
class DevicesArchitectureTest {

    private final JavaClasses devices = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.restvisor.core.devices");

    @Test
    void devicesDependOnlyOnCoreIoAndBasicJava() {
        classes().should().onlyDependOnClassesThat()
                .resideInAnyPackage("dev.restvisor.core.devices..", "dev.restvisor.core.io..", "java.lang..",
                        "java.util", "java.util.function")
                .check(devices);
    }

    @Test
    void devicesStartNoThreads() {
        noClasses().should().dependOnClassesThat().areAssignableTo(Thread.class).check(devices);
    }

    @Test
    void devicePackagesAreIndependent() {
        slices().matching("dev.restvisor.core.devices.(*)..").should().notDependOnEachOther().check(devices);
    }
}
