package io.campaignpulse.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.apache.flink.configuration.Configuration;

/**
 * Flink's Prometheus reporter for the jobs the launcher runs in-process (`pulse run`, `pulse
 * demo`): every metric of the job, ours included (dead letters by reason, misfires by rule,
 * alert messages, webhook failures, Kafka commits that failed), on one HTTP endpoint.
 */
public final class LocalMetrics {

    /** Chooses the port; otherwise a free one is taken. */
    public static final String PORT_VARIABLE = "PULSE_METRICS_PORT";

    private LocalMetrics() {}

    /** The reporter's settings for a local cluster, serving on {@code port}. */
    public static Configuration prometheus(int port) {
        Configuration c = new Configuration();
        c.setString(
                "metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.setString("metrics.reporter.prom.port", Integer.toString(port));
        return c;
    }

    /** The port from {@value #PORT_VARIABLE}, or a free one. */
    public static int port(String configured) throws IOException {
        if (configured != null && !configured.isBlank()) {
            try {
                int port = Integer.parseInt(configured.trim());
                if (port > 0 && port < 65_536) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(PORT_VARIABLE + " must be a port number, was '" + configured + "'");
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
