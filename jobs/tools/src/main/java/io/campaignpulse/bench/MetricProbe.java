package io.campaignpulse.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for a job in this JVM's MiniCluster: it keeps the counters and gauges Flink
 * registers, so the benchmark can read an operator's record count or the last checkpoint's
 * duration while the job runs. Operator metrics are found by operator name (all subtasks summed),
 * job metrics by name.
 */
public final class MetricProbe implements MetricReporter {

    private static final Map<String, List<Metric>> METRICS = new ConcurrentHashMap<>();

    /** The Flink settings that install this reporter in a local cluster. */
    public static Configuration install() {
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.probe.factory.class", Factory.class.getName());
        return conf;
    }

    /** Forgets the metrics of earlier jobs. */
    public static void reset() {
        METRICS.clear();
    }

    /**
     * The sum over all subtasks of an operator's counter, or -1 while it is not registered. The
     * name is matched as a prefix, since Flink adds a suffix to some (a sink's is "name: Writer").
     */
    public static long operatorCount(String operatorName, String metric) {
        long sum = -1;
        for (Map.Entry<String, List<Metric>> e : METRICS.entrySet()) {
            if (e.getKey().startsWith(operatorName) && e.getKey().endsWith("|" + metric)) {
                for (Metric m : e.getValue()) {
                    sum = Math.max(sum, 0) + (m instanceof Counter c ? c.getCount() : 0);
                }
            }
        }
        return sum;
    }

    /**
     * The smallest value over all subtasks of an operator's numeric gauge (e.g. currentInputWatermark:
     * how far event time has reached in every instance), or Long.MIN_VALUE while none is registered.
     */
    public static long operatorGaugeMin(String operatorName, String metric) {
        long min = Long.MAX_VALUE;
        boolean found = false;
        for (Map.Entry<String, List<Metric>> e : METRICS.entrySet()) {
            if (e.getKey().startsWith(operatorName) && e.getKey().endsWith("|" + metric)) {
                for (Metric m : e.getValue()) {
                    if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                        min = Math.min(min, n.longValue());
                        found = true;
                    }
                }
            }
        }
        return found ? min : Long.MIN_VALUE;
    }

    /** A job-level gauge's value (e.g. lastCheckpointDuration), or -1 while it is not registered. */
    public static long jobGauge(String metric) {
        List<Metric> found = METRICS.get("job|" + metric);
        if (found == null || found.isEmpty()) {
            return -1;
        }
        Metric m = found.get(found.size() - 1);
        return m instanceof Gauge<?> g && g.getValue() instanceof Number n ? n.longValue() : -1;
    }

    /**
     * Each task's share of time busy, back-pressured and idle (ms per second, Flink's own gauges),
     * by task name and subtask: where a run spends its time.
     */
    public static Map<String, long[]> taskTimes() {
        Map<String, long[]> times = new TreeMap<>();
        String[] kinds = {"busyTimeMsPerSecond", "backPressuredTimeMsPerSecond", "idleTimeMsPerSecond"};
        for (Map.Entry<String, List<Metric>> e : METRICS.entrySet()) {
            if (!e.getKey().startsWith("task:")) {
                continue;
            }
            String[] parts = e.getKey().substring(5).split("\\|");
            int kind = Arrays.asList(kinds).indexOf(parts[parts.length - 1]);
            if (kind >= 0
                    && !e.getValue().isEmpty()
                    && e.getValue().get(e.getValue().size() - 1) instanceof Gauge<?> g
                    && g.getValue() instanceof Number n) {
                times.computeIfAbsent(parts[0], k -> new long[3])[kind] = n.longValue();
            }
        }
        return times;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> vars = group.getAllVariables();
        String operator = vars.get("<operator_name>");
        String task = vars.get("<task_name>");
        String key = operator != null
                ? operator + "|" + name
                : task != null
                        ? "task:" + task + "#" + vars.get("<subtask_index>") + "|" + name
                        : vars.containsKey("<job_id>") ? "job|" + name : null;
        if (key != null) {
            METRICS.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // Kept: the benchmark reads the final values after the job ended.
    }

    /** Flink creates the reporter through this factory (metrics.reporter.probe.factory.class). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new MetricProbe();
        }
    }
}
