package dev.kcwarden.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * A closed-loop load: {@code threads} workers, each sending its next request as soon as the last one answered, for a
 * fixed time. Measures requests per second, the server JVM's CPU time per request and the latency percentiles.
 */
final class Load {

    /** One worker's requests; {@link #next()} throws on an answer the benchmark did not expect. */
    interface Worker {
        void next() throws Exception;
    }

    /** What one round measured. */
    record Result(long requests, double seconds, double cpuMsPerRequest, double p50Ms, double p99Ms) {
        double perSecond() {
            return requests / seconds;
        }
    }

    private Load() {}

    static Result run(ProcessHandle server, int threads, Duration duration, IntFunction<Worker> workers)
            throws InterruptedException {
        List<Worker> ready = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ready.add(workers.apply(t));
        }
        long[][] latencies = new long[threads][];
        int[] counts = new int[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(threads);
        CountDownLatch start = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread = new Thread(
                    () -> {
                        long[] own = new long[1 << 16];
                        int n = 0;
                        try {
                            start.await();
                            long end = window[1];
                            while (System.nanoTime() < end && failure.get() == null) {
                                long began = System.nanoTime();
                                ready.get(id).next();
                                if (n == own.length) {
                                    own = Arrays.copyOf(own, n * 2);
                                }
                                own[n++] = System.nanoTime() - began;
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            latencies[id] = own;
                            counts[id] = n;
                            done.countDown();
                        }
                    },
                    "bench-load-" + t);
            running.add(thread);
            thread.start();
        }
        long cpuBefore = BenchServer.cpuNanos(server);
        window[0] = System.nanoTime();
        window[1] = window[0] + duration.toNanos();
        start.countDown();
        done.await();
        long wall = System.nanoTime() - window[0];
        long cpu = BenchServer.cpuNanos(server) - cpuBefore;
        if (failure.get() != null) {
            throw new IllegalStateException("a request failed: " + failure.get().getMessage(), failure.get());
        }
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[(int) total];
        int at = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        return new Result(
                total,
                wall / 1e9,
                total == 0 ? 0 : cpu / 1e6 / total,
                percentile(all, 0.50) / 1e6,
                percentile(all, 0.99) / 1e6);
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
