package dev.kcwarden.guard;

import dev.kcwarden.bench.BenchServer;
import dev.kcwarden.quickstart.KeycloakDistribution;
import dev.kcwarden.testing.AdminRest;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.TokenEndpoint;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Server CPU per throttled attempt versus per wrong-password attempt, side by side on one Keycloak in
 * {@code keycloak.version} (production mode {@code start}, embedded H2 file database) with warden and the demo realm.
 * CPU is the Keycloak JVM's own CPU time (ProcessHandle), so the client's work does not count. Rounds alternate the two
 * kinds, so machine noise hits both alike. Run with {@code ./mvnw -Pbench}.
 */
public final class ServerCpuBenchmark {

    private static final int PORT = 8280;
    private static final String BASE = "http://127.0.0.1:" + PORT;
    private static final String TOKEN_URL = BASE + "/realms/warden/protocol/openid-connect/token";
    private static final int ROUNDS = 5;
    private static final int WRONG_PER_ROUND = 40;
    private static final int THROTTLED_PER_ROUND = 400;
    private static final String USER = "bench-user";

    private ServerCpuBenchmark() {}

    public static void main(String[] args) throws Exception {
        KeycloakDistribution keycloak = KeycloakDistribution.at(Path.of(args[0]));
        KeycloakDistribution.deleteTree(
                keycloak.home().resolve("data")); // every run starts from the realm file and a new admin
        // the shipped realm, with its breached-password check kept on this machine (no call to the public range API)
        keycloak.install(
                Path.of(args[1]),
                DemoRealm.offlineCopy(Path.of(args[2]), keycloak.home().resolve("warden-offline-realm")));
        String adminPassword = "bench-" + Long.toHexString(new SecureRandom().nextLong());
        Path log = keycloak.home().resolve("bench-keycloak.log");
        // production mode (theme and template caches on, as users run it) on the embedded H2 file database
        Process server = BenchServer.start(
                keycloak,
                PORT,
                9280,
                adminPassword,
                Map.of(),
                log,
                BASE + "/realms/warden/.well-known/openid-configuration");
        try {
            ProcessHandle jvm = BenchServer.jvmOf(server);
            AdminRest admin = prepare(adminPassword);
            refusalTiming();
            memoryPerKey(jvm);
            run(jvm, admin);
        } finally {
            KeycloakDistribution.stop(server);
        }
    }

    private static void run(ProcessHandle jvm, AdminRest admin) throws Exception {
        LoopbackClient blocked = new LoopbackClient("127.0.0.1");
        for (int i = 0; i < 5; i++) {
            login(blocked, "wrong");
        }
        // the same blocked address (127.0.0.1) over one kept-alive connection, as an attacker's client sends
        Map<String, String> wrongForm = TokenEndpoint.passwordForm("demo-cli", USER, "wrong");
        Map<String, String> noUsernameForm = Map.of("grant_type", "password", "client_id", "demo-cli", "password", "x");
        int[] ip = {0};
        IntFunction<LoopbackClient> nextWrongSource =
                i -> new LoopbackClient("127.1." + (ip[0] / 250) + "." + (ip[0]++ % 250 + 1));
        // warm-up of both paths
        measure(jvm, 60, i -> expect(login(nextWrongSource.apply(i), "wrong"), 400));
        measure(jvm, 3000, i -> expect(login(blocked, "wrong"), 429));
        measure(jvm, 3000, i -> expect(Http.postForm(TOKEN_URL, wrongForm), 429));
        measure(jvm, 3000, i -> expect(Http.postForm(TOKEN_URL, noUsernameForm), 401));

        List<double[]> rows = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            double[] wrong = measure(jvm, WRONG_PER_ROUND, i -> expect(login(nextWrongSource.apply(i), "wrong"), 400));
            double[] throttled =
                    measure(jvm, THROTTLED_PER_ROUND, i -> expect(Http.postForm(TOKEN_URL, wrongForm), 429));
            double[] throttledNewConnection =
                    measure(jvm, THROTTLED_PER_ROUND, i -> expect(login(blocked, "wrong"), 429));
            double[] floor =
                    measure(jvm, THROTTLED_PER_ROUND, i -> expect(Http.postForm(TOKEN_URL, noUsernameForm), 401));
            rows.add(new double[] {
                round, wrong[0], throttled[0], wrong[1], throttled[1], floor[0], throttledNewConnection[0]
            });
        }
        System.out.println();
        System.out.println("| round | CPU ms per wrong-password attempt | CPU ms per throttled attempt | ratio | wrong "
                + "req/s | throttled req/s "
                + "| CPU ms per request without username (Keycloak's floor) | CPU ms per throttled "
                + "attempt, new TCP connection each |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        double sumWrong = 0;
        double sumThrottled = 0;
        double sumFloor = 0;
        double sumNewConnection = 0;
        for (double[] r : rows) {
            System.out.printf(
                    "| %d | %.1f | %.2f | %.0f : 1 | %.0f | %.0f | %.2f | %.2f |%n",
                    (int) r[0], r[1], r[2], r[1] / r[2], r[3], r[4], r[5], r[6]);
            sumWrong += r[1];
            sumThrottled += r[2];
            sumFloor += r[5];
            sumNewConnection += r[6];
        }
        System.out.printf(
                "| mean | %.1f | %.2f | %.0f : 1 | | | %.2f | %.2f |%n",
                sumWrong / ROUNDS,
                sumThrottled / ROUNDS,
                sumWrong / sumThrottled,
                sumFloor / ROUNDS,
                sumNewConnection / ROUNDS);
        // How much of the floor is the events store: the same two kinds with stored events off.
        admin.updateRealm("warden", Map.of("eventsEnabled", false));
        measure(jvm, 1000, i -> expect(Http.postForm(TOKEN_URL, wrongForm), 429));
        double[] throttledNoStore =
                measure(jvm, 2 * THROTTLED_PER_ROUND, i -> expect(Http.postForm(TOKEN_URL, wrongForm), 429));
        double[] floorNoStore =
                measure(jvm, 2 * THROTTLED_PER_ROUND, i -> expect(Http.postForm(TOKEN_URL, noUsernameForm), 401));
        System.out.printf(
                "| events not stored (eventsEnabled off) | | %.2f | %.0f : 1 | | %.0f | %.2f | |%n",
                throttledNoStore[0], (sumWrong / ROUNDS) / throttledNoStore[0], throttledNoStore[1], floorNoStore[0]);
        System.out.printf(
                "(%d rounds; per round %d wrong-password attempts (new connection and source address each) and "
                        + "%d of each "
                        + "other kind, sequential; throttled and floor over one kept-alive connection unless "
                        + "the column says otherwise)%n",
                ROUNDS, WRONG_PER_ROUND, THROTTLED_PER_ROUND);
    }

    /**
     * Whether a 429 tells if an account exists: the same blocked address asks for an existing and for an unknown name,
     * interleaved, and the median wall time of each is printed side by side.
     */
    private static void refusalTiming() {
        LoopbackClient from = new LoopbackClient("127.0.0.2");
        String unknown = "nobody-" + Long.toHexString(new SecureRandom().nextLong());
        for (String name : List.of(USER, unknown)) {
            for (int i = 0; i < 5; i++) {
                from.postForm(TOKEN_URL, TokenEndpoint.passwordForm("demo-cli", name, "wrong"));
            }
        }
        int samples = 2000;
        long[] existing = new long[samples];
        long[] missing = new long[samples];
        for (int i = 0; i < samples + 200; i++) {
            long a = timed429(from, USER);
            long b = timed429(from, unknown);
            if (i >= 200) { // the first 200 of each warm up
                existing[i - 200] = a;
                missing[i - 200] = b;
            }
        }
        java.util.Arrays.sort(existing);
        java.util.Arrays.sort(missing);
        System.out.println();
        System.out.println("| 429 for a blocked name, same address, interleaved | p50 µs | p90 µs |");
        System.out.println("|---|---|---|");
        System.out.printf(
                "| existing account | %d | %d |%n", existing[samples / 2] / 1000, existing[samples * 9 / 10] / 1000);
        System.out.printf(
                "| no such account | %d | %d |%n", missing[samples / 2] / 1000, missing[samples * 9 / 10] / 1000);
        System.out.printf(
                "(%d of each; p50 difference %+d µs)%n",
                samples, (missing[samples / 2] - existing[samples / 2]) / 1000);
    }

    private static long timed429(LoopbackClient from, String name) {
        long start = System.nanoTime();
        Http.Reply reply = from.postForm(TOKEN_URL, TokenEndpoint.passwordForm("demo-cli", name, "wrong"));
        long took = System.nanoTime() - start;
        expect(reply, 429);
        return took;
    }

    /**
     * Heap per tracked key on the server: live heap (after a full GC, read with jcmd) before and after failed logins
     * for made-up names from new addresses, each of which creates counters of its own.
     */
    private static void memoryPerKey(ProcessHandle jvm) throws Exception {
        int attempts = 1500;
        long before = BenchServer.liveHeap(jvm);
        for (int i = 0; i < attempts; i++) {
            LoopbackClient from = new LoopbackClient("127.2." + (i / 250) + "." + (i % 250 + 1));
            expect(from.postForm(TOKEN_URL, TokenEndpoint.passwordForm("demo-cli", "spray-" + i, "wrong")), 400);
        }
        long after = BenchServer.liveHeap(jvm);
        // Each attempt creates 3 counters (address, name and address, name), each a slot, its stamp and the
        // hint, and takes 3 tickets of the realm's budget: 12 cache entries.
        double perAttempt = (after - before) / (double) attempts;
        System.out.println();
        System.out.println("| memory | bytes |");
        System.out.println("|---|---|");
        System.out.printf(
                "| live heap per failed login with a new name from a new address (3 counters, 12 entries) | %.0f |%n",
                perAttempt);
        System.out.printf("| per cache entry | %.0f |%n", perAttempt / 12);
        System.out.printf(
                "(%d attempts; live heap %d -> %d KiB after full GCs)%n", attempts, before / 1024, after / 1024);
    }

    /** Returns {server CPU ms per attempt, attempts per second}. */
    private static double[] measure(ProcessHandle jvm, int attempts, java.util.function.IntConsumer attempt) {
        long cpuBefore = BenchServer.cpuNanos(jvm);
        long wallBefore = System.nanoTime();
        for (int i = 0; i < attempts; i++) {
            attempt.accept(i);
        }
        long wall = System.nanoTime() - wallBefore;
        long cpu = BenchServer.cpuNanos(jvm) - cpuBefore;
        return new double[] {cpu / 1e6 / attempts, attempts / (wall / 1e9)};
    }

    private static Http.Reply login(LoopbackClient from, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", "demo-cli");
        form.put("username", USER);
        form.put("password", password);
        return from.postForm(TOKEN_URL, form);
    }

    private static void expect(Http.Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException(
                    "expected HTTP " + status + ", got " + reply.status() + ": " + reply.body());
        }
    }

    /** Limits that keep the wrong-password path below every limit, and the benchmark user. */
    private static AdminRest prepare(String adminPassword) throws Exception {
        AdminRest admin = AdminRest.signIn(BASE, "bench-admin", adminPassword);
        admin.setGuardLimits(
                "warden",
                "warden direct grant",
                GuardedDirectGrantFactory.PROVIDER_ID,
                Map.of("warden.user-ip.max", "5", "warden.ip.max", "10000", "warden.account.max", "10000"));
        admin.createUser("warden", USER, "Bench-passphrase-2026");
        return admin;
    }
}
