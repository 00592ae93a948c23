package dev.kcwarden.guard;

import java.util.Locale;

/**
 * What the proof-of-work step-up costs: for each difficulty, the hashes and wall time a solver needs (Java's SHA-256 on
 * one core, the same counting loop as js/warden-pow.js, a stand-in for a browser), and what checking one solution costs
 * the server. Run with {@code java -cp target/classes:target/test-classes dev.kcwarden.guard.PowCostBenchmark
 * [solves-per-difficulty]}; the figures go to docs/benchmarks.md.
 */
public final class PowCostBenchmark {

    private PowCostBenchmark() {}

    public static void main(String[] args) {
        int solves = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        // Warm the JIT.
        for (int i = 0; i < 50; i++) {
            PowSolver.solve(ProofOfWork.newNonce(), 10);
        }
        System.out.println("| bits | expected hashes (2^bits) | mean hashes | mean solve (ms) | slowest (ms) |");
        System.out.println("|---|---|---|---|---|");
        for (int bits = 8; bits <= 22; bits += 2) {
            long hashes = 0;
            long totalNanos = 0;
            long slowest = 0;
            int runs = bits >= 20 ? Math.max(3, solves / 4) : solves;
            for (int r = 0; r < runs; r++) {
                String nonce = ProofOfWork.newNonce();
                long start = System.nanoTime();
                String solution = PowSolver.solve(nonce, bits);
                long took = System.nanoTime() - start;
                hashes += Long.parseLong(solution) + 1;
                totalNanos += took;
                slowest = Math.max(slowest, took);
            }
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %,d | %,d | %.1f | %.1f |%n",
                    bits,
                    1L << bits,
                    hashes / runs,
                    totalNanos / 1e6 / runs,
                    slowest / 1e6);
        }
        String nonce = ProofOfWork.newNonce();
        String solution = PowSolver.solve(nonce, 16);
        int rounds = 200_000;
        boolean all = true;
        for (int i = 0; i < 20_000; i++) {
            all &= ProofOfWork.verify(nonce, 16, solution);
        }
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            all &= ProofOfWork.verify(nonce, 16, solution);
        }
        double micros = (System.nanoTime() - start) / 1e3 / rounds;
        System.out.printf(Locale.ROOT, "verify: %.2f us per solution (all valid: %s)%n", micros, all);
        long rejectStart = System.nanoTime();
        String oversized = "9".repeat(10_000);
        for (int i = 0; i < rounds; i++) {
            all &= !ProofOfWork.verify(nonce, 16, oversized);
        }
        System.out.printf(
                Locale.ROOT,
                "refuse oversized: %.3f us per solution%n",
                (System.nanoTime() - rejectStart) / 1e3 / rounds);
    }
}
