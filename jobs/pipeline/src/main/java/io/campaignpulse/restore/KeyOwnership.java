package io.campaignpulse.restore;

import java.util.function.Predicate;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Which keys a parallel instance owns: those whose key group falls in its range. A step that keeps
 * per-key data in memory checkpoints it as a union list (every instance gets every entry on
 * restore) and keeps the entries of its own keys, so a rescaled job finds each entry on the
 * instance that now receives its key.
 */
public final class KeyOwnership {

    private KeyOwnership() {}

    public static Predicate<String> ofThisInstance(TaskInfo task) {
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        int parallelism = task.getNumberOfParallelSubtasks();
        int index = task.getIndexOfThisSubtask();
        return key -> KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, parallelism) == index;
    }
}
