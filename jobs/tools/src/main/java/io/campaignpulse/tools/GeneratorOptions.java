package io.campaignpulse.tools;

import picocli.CommandLine.Option;

/** The generated bank and its pace, shared by `demo` and `generate`. */
final class GeneratorOptions {

    @Option(
            names = "--customers",
            defaultValue = "4000",
            description = "Customers in the generated bank (default: ${DEFAULT-VALUE}).")
    int customers;

    @Option(
            names = "--day-seconds",
            defaultValue = "90",
            description =
                    "Wall-clock seconds the simulated day (06:00 onwards) takes; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double daySeconds;

    @Option(names = "--seed", defaultValue = "7", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    void validate() {
        if (customers < 10) {
            throw new IllegalArgumentException("--customers must be at least 10");
        }
    }
}
