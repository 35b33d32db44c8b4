package io.campaignpulse;

import java.util.ArrayList;
import java.util.List;

/**
 * A busy machine, made by the test itself: threads that spin on arithmetic until closed, so a
 * result that depends on how fast the job reads shows up as a wrong result, not as a flake.
 */
public final class CpuLoad implements AutoCloseable {

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    @SuppressWarnings("PMD.UnusedPrivateField") // written so that the JIT cannot drop the busy loop
    private volatile long sink;

    private CpuLoad(int threadCount) {
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(
                    () -> {
                        long x = 1;
                        while (running) {
                            for (int k = 0; k < 1_000_000; k++) {
                                x = x * 6364136223846793005L + 1442695040888963407L;
                            }
                            sink = x;
                        }
                    },
                    "cpu-load-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** As many spinning threads as the machine has cores. */
    public static CpuLoad saturatingAllCores() {
        return new CpuLoad(Runtime.getRuntime().availableProcessors());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
