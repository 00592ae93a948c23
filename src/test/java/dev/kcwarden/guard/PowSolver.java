package dev.kcwarden.guard;

/** Solves a step-up puzzle the way warden-pow.js does: counts 0, 1, 2, ... until the hash has enough zero bits. */
public final class PowSolver {

    private PowSolver() {}

    public static String solve(String nonce, int bits) {
        for (long i = 0; ; i++) {
            String candidate = Long.toString(i);
            if (ProofOfWork.leadingZeroBits(ProofOfWork.sha256(nonce + ':' + candidate)) >= bits) {
                return candidate;
            }
        }
    }

    /** A well-formed solution that does NOT solve the puzzle. */
    public static String wrong(String nonce, int bits) {
        for (long i = 0; ; i++) {
            String candidate = "w" + i;
            if (ProofOfWork.leadingZeroBits(ProofOfWork.sha256(nonce + ':' + candidate)) < bits) {
                return candidate;
            }
        }
    }
}
