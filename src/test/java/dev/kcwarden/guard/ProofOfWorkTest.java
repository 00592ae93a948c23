package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Proof-of-work step-up: the verifier")
class ProofOfWorkTest {

    @Test
    @DisplayName("leading zero bits are counted from the most significant bit of the first byte")
    void leadingZeroBits() {
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {(byte) 0x80, 0})).isZero();
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {0x01, 0})).isEqualTo(7);
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {0, 0x40})).isEqualTo(9);
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {0, 0, (byte) 0xff})).isEqualTo(16);
        assertThat(ProofOfWork.leadingZeroBits(new byte[] {0, 0})).isEqualTo(16);
    }

    @Test
    @DisplayName("a solution is accepted at its difficulty and refused one bit above what its hash has")
    void exactDifficulty() {
        String nonce = ProofOfWork.newNonce();
        String solution = PowSolver.solve(nonce, 10);
        int has = ProofOfWork.leadingZeroBits(ProofOfWork.sha256(nonce + ':' + solution));
        assertThat(ProofOfWork.verify(nonce, 10, solution)).isTrue();
        assertThat(ProofOfWork.verify(nonce, has, solution)).isTrue();
        assertThat(ProofOfWork.verify(nonce, has + 1, solution)).isFalse();
        assertThat(ProofOfWork.verify(nonce, 10, PowSolver.wrong(nonce, 10))).isFalse();
        assertThat(ProofOfWork.verify(ProofOfWork.newNonce(), 16, solution))
                .as("bound to its nonce")
                .isFalse();
    }

    @Test
    @DisplayName("malformed and oversized solutions are refused before any hash, even at difficulty 0")
    void malformed() {
        String nonce = ProofOfWork.newNonce();
        for (String bad : new String[] {
            null, "", " 1", "1 ", "1\u0000", "1\n", "\u0661", "1:2", "1%32", "ä", "x".repeat(33), "1".repeat(10_000)
        }) {
            assertThat(ProofOfWork.verify(nonce, 0, bad)).as("%s", bad).isFalse();
        }
        assertThat(ProofOfWork.verify(nonce, 0, "x".repeat(32))).isTrue();
        assertThat(ProofOfWork.verify(nonce, 0, "aZ09_-")).isTrue();
        assertThat(ProofOfWork.verify(null, 0, "1")).isFalse();
        assertThat(ProofOfWork.verify("", 0, "1")).isFalse();
        assertThat(ProofOfWork.verify(nonce, -1, "1")).isFalse();
        assertThat(ProofOfWork.verify(nonce, 33, "1")).isFalse();
    }

    @Test
    @DisplayName("nonces carry 128 random bits and do not repeat")
    void nonces() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String nonce = ProofOfWork.newNonce();
            assertThat(nonce).matches("[A-Za-z0-9_-]{22}");
            assertThat(seen.add(nonce)).isTrue();
        }
    }

    @Test
    @DisplayName("difficulty: none below the threshold, base bits at it, one more per failure past it, capped")
    void requiredBits() {
        assertThat(ProofOfWork.requiredBits(1, 4, 0.5, 10, 12)).isZero();
        assertThat(ProofOfWork.requiredBits(2, 4, 0.5, 10, 12)).isEqualTo(10);
        assertThat(ProofOfWork.requiredBits(3, 4, 0.5, 10, 12)).isEqualTo(11);
        assertThat(ProofOfWork.requiredBits(9, 10, 0.5, 10, 12)).isEqualTo(12);
        assertThat(ProofOfWork.requiredBits(99, 100, 0, 10, 12)).as("0 = off").isZero();
        assertThat(ProofOfWork.requiredBits(0, 10, 0.01, 10, 12))
                .as("at least one failure")
                .isZero();
        assertThat(ProofOfWork.requiredBits(1, 10, 0.01, 10, 12)).isEqualTo(10);
        assertThat(ProofOfWork.requiredBits(5, 10, 0.5, 10, 12))
                .as("exactly half")
                .isEqualTo(10);
    }
}
