package io.campaignpulse.ops;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package graph of the pipeline and the tools has no cycles: every package (each on its own,
 * io.campaignpulse.customer apart from io.campaignpulse.customer.state) depends only on packages
 * that do not depend back on it.
 */
class PackageGraphTest {

    private static final JavaClasses PRODUCT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar")) // the pipeline's test fixtures
            .importPackages("io.campaignpulse");

    @Test
    void noPackageCycles() {
        slices().matching("io.(**)").should().beFreeOfCycles().check(PRODUCT);
    }
}
