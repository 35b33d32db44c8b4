package io.campaignpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.campaignpulse.JobEnvironment;
import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.source.KafkaSources;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The JDBC writer sends a full batch in the thread that hands it a row and waits for PostgreSQL's
 * answer: each table's writer runs in a task of its own, so no step of the job (the per-customer
 * step least of all) waits for PostgreSQL.
 */
class PostgresWriterTasksTest {

    private static List<String> taskNames() {
        PulseConfig config = Fixtures.config(Map.of("parallelism", "2"));
        StreamExecutionEnvironment env = JobEnvironment.create(config, true, new Configuration());
        PulsePipeline.defineWorkflow(env, config, new KafkaSources(), new LiveSinks(config));
        Iterable<JobVertex> vertices = env.getStreamGraph(false).getJobGraph().getVertices();
        return StreamSupport.stream(vertices.spliterator(), false)
                .map(JobVertex::getName)
                .toList();
    }

    @Test
    void eachTablesWriterRunsInATaskThatStartsWithItsRows() {
        List<String> tasks = taskNames();
        List<String> writers =
                tasks.stream().filter(name -> name.contains("Sink: postgres_")).toList();
        assertThat(writers).as("one task per table").hasSize(PostgresTables.ALL.size());
        assertThat(writers)
                .as("tasks that write PostgreSQL rows and do nothing else")
                .allMatch(name -> name.startsWith("PostgreSQL rows: ")
                        && name.indexOf("Sink: postgres_") == name.lastIndexOf("Sink: postgres_"));
        assertThat(tasks)
                .filteredOn(name -> name.contains("Misfire detection per customer"))
                .isNotEmpty()
                .noneMatch(name -> name.contains("PostgreSQL"));
    }
}
