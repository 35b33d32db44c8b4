package io.campaignpulse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Makes the Table planner's operator uids the same on every build of the job.
 *
 * <p>With {@code table.exec.uid.generation: ALWAYS} the planner names its operators
 * {@code <prefix><id>_<transformation>}, where {@code <id>} comes from a counter that lives as
 * long as the JVM. A JobManager runs {@code main()} for every REST submission in one JVM, so the
 * second submission's ids differ from the first's and the roll-ups' window state in a savepoint
 * no longer maps to its operators. This renumbers those ids by the operator's place in the job
 * graph (a depth-first walk from the sinks, in the order they were added), which depends only on
 * the program.
 */
public final class PlannerUids {

    private static final Pattern PLANNER_UID = Pattern.compile("^([a-z]+(?:-[a-z]+)*-)\\d+_(.+)$");

    private PlannerUids() {}

    /** Renumbers every planner uid reachable from the environment's sinks. Call once, after the last sink. */
    public static void stabilize(StreamExecutionEnvironment env) {
        Map<String, Integer> next = new HashMap<>();
        Set<Transformation<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Transformation<?> sink : env.getTransformations()) {
            Deque<Transformation<?>> stack = new ArrayDeque<>();
            stack.push(sink);
            while (!stack.isEmpty()) {
                Transformation<?> t = stack.pop();
                if (!seen.add(t)) {
                    continue;
                }
                Matcher m = t.getUid() == null ? null : PLANNER_UID.matcher(t.getUid());
                if (m != null && m.matches()) {
                    int n = next.merge(m.group(1), 1, Integer::sum);
                    t.setUid(m.group(1) + n + "_" + m.group(2));
                }
                List<Transformation<?>> inputs = new ArrayList<>(t.getInputs());
                Collections.reverse(inputs); // visit inputs in their declared order
                inputs.forEach(stack::push);
            }
        }
    }
}
