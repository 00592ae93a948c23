package dev.kcwarden.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kcwarden.quickstart.KeycloakDistribution;
import dev.kcwarden.testing.AdminRest;
import dev.kcwarden.testing.DemoRealm;
import dev.kcwarden.testing.Http;
import dev.kcwarden.testing.LoopbackClient;
import dev.kcwarden.testing.Pkce;
import dev.kcwarden.testing.TokenEndpoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token life cycle with warden against the same realm without it, on one real Keycloak ({@code keycloak.version},
 * production mode, embedded H2 file database): realm {@code warden} as shipped and realm {@code stock}, the same file
 * with every warden part taken out ({@link StockRealm}). Rounds alternate the realms (ABBA), so machine noise hits both
 * alike; every figure is reported as a ratio with its spread over the rounds. A second start with the audit webhook on
 * measures logins with the receiver up, refusing connections and hanging. Writes its section of docs/benchmarks.md and
 * the charts in docs/img/. Run with {@code ./mvnw -Pbench}; never part of {@code verify}, never asserts on times.
 */
public final class TokenLifecycleBenchmark {

    private static final int PORT = 8280;
    private static final int MANAGEMENT_PORT = 9280;
    private static final int HOOK_PORT = 8295;
    private static final String BASE = "http://127.0.0.1:" + PORT;
    private static final String PASSWORD = "Bench-passphrase-2026";
    private static final int USERS = 20;
    private static final List<String> REALMS = List.of("stock", "warden");
    private static final String SPRAY = "spray";
    private static final String SPRAY_STOCK = "spray-stock";
    /** warden.tracked-keys.max as shipped: new counters per realm and window. */
    private static final int TRACKED_KEYS = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FORM_ACTION = Pattern.compile("action=\"([^\"]*login-actions/authenticate[^\"]*)\"");
    private static final String MARK_BEGIN = "<!-- bench:token-lifecycle:begin -->";
    private static final String MARK_END = "<!-- bench:token-lifecycle:end -->";
    /** The parts, in the order they run and appear in the doc. */
    private static final List<String> PARTS = List.of("compare", "profile", "throttle", "memory", "webhook");

    private final int seconds = Integer.getInteger("warden.bench.seconds", 20);
    private final int rounds = Integer.getInteger("warden.bench.rounds", 3);
    private final int threads = Integer.getInteger("warden.bench.threads", 4);
    private final int spray = Integer.getInteger("warden.bench.spray", 1_000_000);
    /** Which parts run, comma-separated: compare, profile, throttle, memory, webhook (default all). */
    private final List<String> parts = parts(System.getProperty("warden.bench.parts", String.join(",", PARTS)));

    private final KeycloakDistribution keycloak;
    private final Path jar;
    private final Path realmFile;
    private final Path project;
    /** The section of the part now running; {@link #sections} keeps every part's, in the order they ran. */
    private StringBuilder doc = new StringBuilder();

    private final Map<String, StringBuilder> sections = new LinkedHashMap<>();
    private final String adminPassword = "bench-" + Long.toHexString(new SecureRandom().nextLong());

    private TokenLifecycleBenchmark(Path home, Path jar, Path realmFile, Path project) throws Exception {
        this.keycloak = KeycloakDistribution.at(home);
        this.jar = jar;
        this.realmFile = realmFile;
        this.project = project;
    }

    /** {@code <keycloak home> <warden jar> <realm file> <project directory>}. */
    public static void main(String[] args) throws Exception {
        new TokenLifecycleBenchmark(absolute(args[0]), absolute(args[1]), absolute(args[2]), absolute(args[3])).run();
    }

    /** The parts a comma-separated list names; an unknown name stops the run before anything starts. */
    static List<String> parts(String list) {
        List<String> named = new ArrayList<>();
        for (String part : list.split(",")) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!PARTS.contains(name)) {
                throw new IllegalArgumentException(
                        "warden.bench.parts: unknown part '" + part.strip() + "'; the parts are " + PARTS);
            }
            named.add(name);
        }
        return named;
    }

    private static Path absolute(String path) {
        return Path.of(path).toAbsolutePath();
    }

    private void run() throws Exception {
        try (Server server = start(Map.of())) {
            prepareUsers();
            if (begin("compare")) {
                compare(server);
            }
            if (begin("profile")) {
                profileRefresh(server);
            }
            if (begin("throttle")) {
                throttledAgainstWrong(server);
            }
        }
        if (parts.contains("memory")) {
            // a server of its own: nothing the other parts left (sessions, counters) expires during the spray
            try (Server server = start(Map.of())) {
                begin("memory");
                memoryPerKey(server);
            }
        }
        if (!parts.contains("webhook")) {
            writeDoc();
            return;
        }
        try (HookReceiver hook = new HookReceiver(HOOK_PORT)) {
            hook.set(HookReceiver.Mood.UP);
            Map<String, String> webhook = Map.of(
                    "KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__WEBHOOK_URL", hook.url(),
                    "KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__WEBHOOK_SECRET", "bench-webhook-secret-2026",
                    "KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__WEBHOOK_TIMEOUT", "1000",
                    // every refresh gets a line and goes to the receiver: the cost of opting in
                    "KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__EVENTS", "all");
            try (Server server = start(webhook)) {
                begin("webhook");
                webhookMoods(server, hook);
            }
        }
        writeDoc();
    }

    // --- the server ---

    /** One running Keycloak with both realms imported; closing it stops it. */
    private record Server(Process process, ProcessHandle jvm, Path log) implements AutoCloseable {
        @Override
        public void close() {
            KeycloakDistribution.stop(process);
        }
    }

    private Server start(Map<String, String> environment) throws Exception {
        KeycloakDistribution.deleteTree(keycloak.home().resolve("data"));
        Path imports = keycloak.home().resolve("bench-realms");
        keycloak.install(jar, DemoRealm.offlineCopy(realmFile, imports));
        StockRealm.write(realmFile, "stock", keycloak.home().resolve("data").resolve("import"));
        writeSprayRealms(keycloak.home().resolve("data").resolve("import"));
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put("KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__CHAIN_KEY", "bench-audit-chain-key-0123456789-abcdef");
        // deep stacks, so that a JFR sample still shows the warden frame under Keycloak's and Quarkus' frames
        env.put("JAVA_OPTS_APPEND", "-XX:FlightRecorderOptions:stackdepth=512");
        Path log = keycloak.home().resolve("bench-lifecycle-keycloak.log");
        Process process = BenchServer.start(
                keycloak,
                PORT,
                MANAGEMENT_PORT,
                adminPassword,
                env,
                log,
                BASE + "/realms/stock/.well-known/openid-configuration");
        ProcessHandle jvm = BenchServer.jvmOf(process);
        return new Server(process, jvm, log);
    }

    /**
     * Two realms for the spray: {@code spray}, warden's flows and limits as shipped, and {@code spray-stock}, the stock
     * copy. Both take a one-iteration PBKDF2 as the password hash, so that the dummy hash Keycloak runs for a name no
     * account has costs little and a million made-up names fit in minutes, and both store no events and log none (a
     * million stored LOGIN_ERROR rows would be the database's memory, not the login guard's). Whatever else Keycloak
     * keeps per failed login shows in spray-stock, so the difference is what warden keeps.
     */
    private void writeSprayRealms(Path dir) throws IOException {
        ObjectNode warden = (ObjectNode) JSON.readTree(realmFile.toFile());
        warden.put("realm", SPRAY);
        warden.remove("id");
        warden.remove("users");
        ObjectNode stock = (ObjectNode) JSON.readTree(realmFile.toFile());
        StockRealm.strip(stock, SPRAY_STOCK);
        for (ObjectNode realm : List.of(warden, stock)) {
            realm.put("passwordPolicy", "hashAlgorithm(pbkdf2-sha256) and hashIterations(1)");
            realm.put("eventsEnabled", false);
            ArrayNode listeners = realm.putArray("eventsListeners");
            if (realm == warden) {
                listeners.add("warden-refresh-reuse").add("warden-audit");
            }
        }
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve(SPRAY + "-realm.json").toFile(), warden);
        JSON.writeValue(dir.resolve(SPRAY_STOCK + "-realm.json").toFile(), stock);
    }

    private void prepareUsers() throws Exception {
        AdminRest admin = AdminRest.signIn(BASE, "bench-admin", adminPassword);
        for (String realm : REALMS) {
            for (int u = 1; u <= USERS; u++) {
                admin.createUser(realm, user(u), PASSWORD);
            }
        }
    }

    private static String user(int u) {
        return "bench-user-" + u;
    }

    private static String tokenUrl(String realm) {
        return BASE + "/realms/" + realm + "/protocol/openid-connect/token";
    }

    // --- stock against warden ---

    private enum Kind {
        PASSWORD("password grant"),
        REFRESH("refresh grant (rotation on)"),
        BROWSER("browser login (form post to code)");

        final String title;

        Kind(String title) {
            this.title = title;
        }
    }

    private void compare(Server server) throws Exception {
        Map<Kind, Map<String, List<Load.Result>>> results = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            // a whole round per realm and kind to warm up: shorter left the JIT's work in the first round
            for (String realm : REALMS) {
                Load.run(server.jvm(), threads, Duration.ofSeconds(seconds), worker(kind, realm));
            }
            Map<String, List<Load.Result>> byRealm = new LinkedHashMap<>();
            REALMS.forEach(r -> byRealm.put(r, new ArrayList<>()));
            results.put(kind, byRealm);
        }
        for (int round = 0; round < rounds; round++) {
            List<String> order = alternate(REALMS, round);
            for (Kind kind : Kind.values()) {
                for (String realm : order) {
                    Load.Result r = Load.run(server.jvm(), threads, Duration.ofSeconds(seconds), worker(kind, realm));
                    results.get(kind).get(realm).add(r);
                    System.out.printf(
                            "round %d %-8s %-36s %8.1f req/s %7.2f CPU ms/req p50 %6.1f ms p99 %6.1f ms%n",
                            round + 1, realm, kind.title, r.perSecond(), r.cpuMsPerRequest(), r.p50Ms(), r.p99Ms());
                }
            }
        }
        doc.append("\n### Warden against stock, same server, rounds alternating\n\n");
        doc.append("| figure | stock (per round) | warden (per round) | warden / stock, mean (min-max over rounds) |"
                + " target |\n|---|---|---|---|---|\n");
        List<Double> stockRate = new ArrayList<>();
        List<Double> wardenRate = new ArrayList<>();
        List<Double> stockCpu = new ArrayList<>();
        List<Double> wardenCpu = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            List<Load.Result> stock = results.get(kind).get("stock");
            List<Load.Result> warden = results.get(kind).get("warden");
            row(kind.title + ", req/s", stock, warden, Load.Result::perSecond, "%.1f", "within 2 %");
            row(
                    kind.title + ", server CPU ms per request",
                    stock,
                    warden,
                    Load.Result::cpuMsPerRequest,
                    "%.2f",
                    "within 2 %");
            row(kind.title + ", p99 ms", stock, warden, Load.Result::p99Ms, "%.1f", "");
            stockRate.add(mean(stock, Load.Result::perSecond));
            wardenRate.add(mean(warden, Load.Result::perSecond));
            stockCpu.add(mean(stock, Load.Result::cpuMsPerRequest));
            wardenCpu.add(mean(warden, Load.Result::cpuMsPerRequest));
        }
        doc.append(String.format(
                Locale.ROOT,
                "\n%d rounds of %d s per realm and kind, %d client threads (each its own kept-alive connection;"
                        + " the browser login opens a new connection per request), %d users per realm.%n",
                rounds,
                seconds,
                threads,
                USERS));
        List<String> kinds = List.of("password grant", "refresh grant", "browser login");
        Charts.bars(
                image("bench-requests-per-second.png"),
                "Requests per second, stock vs warden (mean over rounds)",
                "requests per second",
                kinds,
                List.of(new Charts.Series("stock", stockRate), new Charts.Series("warden", wardenRate)));
        Charts.bars(
                image("bench-cpu-per-request.png"),
                "Server CPU per request, stock vs warden (mean over rounds)",
                "server CPU ms per request",
                kinds,
                List.of(new Charts.Series("stock", stockCpu), new Charts.Series("warden", wardenCpu)));
        doc.append("\n![Requests per second](img/bench-requests-per-second.png)\n");
        doc.append("![Server CPU per request](img/bench-cpu-per-request.png)\n");
    }

    private IntFunction<Load.Worker> worker(Kind kind, String realm) {
        return t -> switch (kind) {
            case PASSWORD -> passwordWorker(realm, t);
            case REFRESH -> refreshWorker(realm, t);
            case BROWSER -> browserWorker(realm, t);
        };
    }

    private Load.Worker passwordWorker(String realm, int thread) {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int[] next = {thread};
        return () -> {
            String body = Http.formEncode(Map.of(
                    "grant_type",
                    "password",
                    "client_id",
                    "demo-cli",
                    "username",
                    user(next[0]++ % USERS + 1),
                    "password",
                    PASSWORD));
            expect(post(http, tokenUrl(realm), body), 200);
        };
    }

    /** Signs in once when made (outside the measured time), then refreshes with the newest refresh token. */
    private Load.Worker refreshWorker(String realm, int thread) {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String login = Http.formEncode(Map.of(
                "grant_type",
                "password",
                "client_id",
                "demo-cli",
                "username",
                user(thread % USERS + 1),
                "password",
                PASSWORD));
        String[] refresh = new String[1];
        try {
            refresh[0] = refreshToken(expect(post(http, tokenUrl(realm), login), 200));
        } catch (Exception e) {
            throw new IllegalStateException("the refresh worker could not sign in to realm " + realm, e);
        }
        return () -> {
            String body = Http.formEncode(
                    Map.of("grant_type", "refresh_token", "client_id", "demo-cli", "refresh_token", refresh[0]));
            refresh[0] = refreshToken(expect(post(http, tokenUrl(realm), body), 200));
        };
    }

    /** The authorization request, the login form post and its redirect with a code, as a browser sends them. */
    private Load.Worker browserWorker(String realm, int thread) {
        int[] next = {thread};
        return () -> {
            LoopbackClient browser = new LoopbackClient("127.0.0.1");
            String verifier = Pkce.newVerifier();
            String auth = BASE + "/realms/" + realm + "/protocol/openid-connect/auth?"
                    + Http.formEncode(Map.of(
                            "client_id", "demo-spa",
                            "redirect_uri", "http://localhost:5173/",
                            "response_type", "code",
                            "scope", "openid",
                            "state", Pkce.randomToken(8),
                            "code_challenge", Pkce.s256(verifier),
                            "code_challenge_method", "S256"));
            Http.Reply page = browser.get(auth, Map.of());
            Matcher action = FORM_ACTION.matcher(page.body());
            if (page.status() != 200 || !action.find()) {
                throw new IllegalStateException("no login form in realm " + realm + ": HTTP " + page.status());
            }
            Http.Reply answer = browser.postForm(
                    action.group(1).replace("&amp;", "&"),
                    Map.of("username", user(next[0]++ % USERS + 1), "password", PASSWORD, "credentialId", ""));
            String location = answer.header("location");
            if (answer.status() != 302 || location == null || !location.contains("code=")) {
                throw new IllegalStateException("login in realm " + realm + " answered HTTP " + answer.status());
            }
        };
    }

    // --- where refresh spends its time in warden ---

    private void profileRefresh(Server server) throws Exception {
        Map<String, JfrSummary.Summary> byRealm = new LinkedHashMap<>();
        Map<String, Load.Result> loads = new LinkedHashMap<>();
        for (String realm : REALMS) {
            Path recording = keycloak.home().resolve("bench-refresh-" + realm + ".jfr");
            Files.deleteIfExists(recording);
            // the workers sign in before the recording starts, so their password logins are not in it
            List<Load.Worker> ready = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ready.add(worker(Kind.REFRESH, realm).apply(t));
            }
            BenchServer.jcmd(server.jvm(), "JFR.start", "name=bench-refresh", "settings=profile");
            loads.put(realm, Load.run(server.jvm(), threads, Duration.ofSeconds(seconds), ready::get));
            BenchServer.jcmd(server.jvm(), "JFR.stop", "name=bench-refresh", "filename=" + recording);
            byRealm.put(realm, JfrSummary.of(recording, 12));
        }
        JfrSummary.Summary warden = byRealm.get("warden");
        doc.append("\n### Where refresh spends its CPU (JFR, `profile` settings, one load per realm)\n\n");
        doc.append("| code on the stack | share of samples, stock | share of samples, warden |\n|---|---|---|\n");
        for (String area : JfrSummary.AREAS.keySet()) {
            doc.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f %% | %.1f %% |%n",
                    area,
                    100.0
                            * byRealm.get("stock").areas().get(area)
                            / byRealm.get("stock").samples(),
                    100.0 * warden.areas().get(area) / warden.samples()));
        }
        doc.append(String.format(
                Locale.ROOT,
                "| (samples; req/s during the recording) | %d; %.0f | %d; %.0f |%n",
                byRealm.get("stock").samples(),
                loads.get("stock").perSecond(),
                warden.samples(),
                loads.get("warden").perSecond()));
        doc.append("\nA sample counts once for each area with a frame on its stack, so the column does not add up to"
                + " 100 %.\n\n| innermost warden method on the stack (warden realm) | share of all samples |"
                + "\n|---|---|\n");
        for (JfrSummary.Share share : warden.wardenMethods()) {
            doc.append(String.format(
                    Locale.ROOT, "| `%s` | %.1f %% |%n", share.method(), 100.0 * share.samples() / warden.samples()));
        }
        doc.append("\n| leaf method of those samples | share of all samples |\n|---|---|\n");
        for (JfrSummary.Share share : warden.leaves()) {
            doc.append(String.format(
                    Locale.ROOT, "| `%s` | %.1f %% |%n", share.method(), 100.0 * share.samples() / warden.samples()));
        }
    }

    // --- memory per tracked key ---

    /**
     * Live heap while {@code spray} failed logins for made-up names, each from a new loopback address, go to realm
     * spray (warden's limits as shipped: {@value #TRACKED_KEYS} new counters per realm and window), after the same
     * number (at most 100,000) went to spray-stock: what stock Keycloak keeps per failed login is taken out.
     */
    private void memoryPerKey(Server server) throws Exception {
        int stockSent = Math.min(spray, 100_000);
        long start = BenchServer.liveHeap(server.jvm());
        Spray stockRun = spray(SPRAY_STOCK, 0, stockSent);
        long afterStock = BenchServer.liveHeap(server.jvm());
        double stockPerLogin = (afterStock - start) / (double) stockSent;

        List<long[]> steps = new ArrayList<>(); // {sent so far, live heap}
        steps.add(new long[] {0, afterStock});
        long refused = 0;
        double took = 0;
        int step = Math.max(1, spray / 4);
        for (int from = 0; from < spray; from += step) {
            int count = Math.min(step, spray - from);
            Spray run = spray(SPRAY, from, count);
            refused += run.refused();
            took += run.seconds();
            steps.add(new long[] {from + count, BenchServer.liveHeap(server.jvm())});
        }
        long end = steps.get(steps.size() - 1)[1];
        // each attempt makes three counters (address, name and address, name) until the budget is spent
        long counters = Math.min(3L * spray, TRACKED_KEYS);
        double wardenGrowth = end - afterStock;
        double wardenOwn = wardenGrowth - stockPerLogin * spray;

        doc.append("\n### Memory per tracked key (a spray of made-up names from new addresses)\n\n");
        doc.append(String.format(
                Locale.ROOT,
                "Realm `%s` (warden as shipped) and realm `%s` (stock), both with a one-iteration hash and no stored"
                        + " events. Live heap after full GCs (`jcmd GC.heap_info`); each failed login is a new name"
                        + " from a new address, so it makes three new counters until warden's budget of %,d new"
                        + " counters per window is spent.%n%n",
                SPRAY,
                SPRAY_STOCK,
                TRACKED_KEYS));
        doc.append("| figure | value |\n|---|---|\n");
        doc.append(String.format(
                Locale.ROOT,
                "| stock: live heap before / after %,d failed logins | %,d / %,d KiB (%.0f bytes per login) |%n",
                stockSent,
                start / 1024,
                afterStock / 1024,
                stockPerLogin));
        doc.append(String.format(
                Locale.ROOT,
                "| warden: failed logins sent / refused 429 / time | %,d / %,d / %.0f s (%.0f per second;"
                        + " stock: %.0f per second) |%n",
                spray,
                refused,
                took,
                spray / took,
                stockSent / stockRun.seconds()));
        for (int i = 1; i < steps.size(); i++) {
            doc.append(String.format(
                    Locale.ROOT,
                    "| warden: live heap after %,d failed logins | %,d KiB (+%,d KiB) |%n",
                    steps.get(i)[0],
                    steps.get(i)[1] / 1024,
                    (steps.get(i)[1] - afterStock) / 1024));
        }
        doc.append(String.format(
                Locale.ROOT,
                "| warden's own growth (warden's growth minus stock's per login times %,d) | %.1f MB |%n",
                spray,
                wardenOwn / 1e6));
        doc.append(String.format(
                Locale.ROOT, "| per tracked counter (%,d counters) | %.0f bytes |%n", counters, wardenOwn / counters));
        doc.append(String.format(
                Locale.ROOT,
                "| against the bound docs/operations.md states (about 133 MB per realm) | %s |%n",
                wardenOwn <= 133e6 ? "within" : "OVER THE BOUND"));
    }

    private record Spray(long refused, double seconds) {}

    /** {@code count} wrong passwords for names spray-{from}... from addresses 127.1.1.1 on, {@code threads} at once. */
    private Spray spray(String realm, int from, int count) throws Exception {
        AtomicLong sent = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong next = new AtomicLong(from);
        long began = System.nanoTime();
        List<Thread> sprayers = new ArrayList<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            Thread sprayer = new Thread(() -> {
                for (long n = next.getAndIncrement();
                        n < from + count && failure.get() == null;
                        n = next.getAndIncrement()) {
                    // spread over 127.1.1.1 to 127.250.250.250: never 127.0.0.1, the benchmark's own logins
                    String address = "127." + (n / 62_500 % 250 + 1) + "." + (n / 250 % 250 + 1) + "." + (n % 250 + 1);
                    Http.Reply reply = new LoopbackClient(address)
                            .postForm(tokenUrl(realm), TokenEndpoint.passwordForm("demo-cli", "spray-" + n, "wrong"));
                    if (reply.status() == 429) {
                        refused.incrementAndGet();
                    } else if (reply.status() != 401 && reply.status() != 400) {
                        failure.set(new IllegalStateException("spray answered HTTP " + reply.status()));
                    }
                    long done = sent.incrementAndGet();
                    if (done % 100_000 == 0) {
                        System.out.printf(
                                "spray %s: %d of %d sent, %d refused, %.0f/s%n",
                                realm, done, count, refused.get(), done / ((System.nanoTime() - began) / 1e9));
                    }
                }
            });
            sprayers.add(sprayer);
            sprayer.start();
        }
        for (Thread sprayer : sprayers) {
            sprayer.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return new Spray(refused.get(), (System.nanoTime() - began) / 1e9);
    }

    // --- a throttled attempt against a wrong password and Keycloak's floor ---

    /**
     * Server CPU per request, rounds alternating: a wrong password (a made-up name from a new address each, so no limit
     * fires; Keycloak hashes a dummy password with the realm's Argon2 for a name with no account), a throttled attempt
     * (one name blocked at one address, refused at warden's block marker) and Keycloak's floor (a password grant
     * without a username, refused in the flow's first step, before any lookup or hash). Realm warden as shipped.
     */
    private void throttledAgainstWrong(Server server) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, String> blockedForm = TokenEndpoint.passwordForm("demo-cli", "bench-blocked", "wrong");
        Map<String, String> floorForm = Map.of("grant_type", "password", "client_id", "demo-cli", "password", "x");
        String blocked = Http.formEncode(blockedForm);
        int tries = 0;
        while (post(http, tokenUrl("warden"), blocked).statusCode() != 429) {
            if (++tries > 200) {
                throw new IllegalStateException("bench-blocked was never refused");
            }
        }
        AtomicLong wrongNames = new AtomicLong();
        IntFunction<Load.Worker> wrong = t -> () -> {
            long n = wrongNames.getAndIncrement();
            String address = "127.251." + (n / 250 % 250 + 1) + "." + (n % 250 + 1);
            Http.Reply reply = new LoopbackClient(address)
                    .postForm(tokenUrl("warden"), TokenEndpoint.passwordForm("demo-cli", "wrong-" + n, "wrong"));
            if (reply.status() != 401 && reply.status() != 400) {
                throw new IllegalStateException("a wrong password answered HTTP " + reply.status());
            }
        };
        Map<String, IntFunction<Load.Worker>> kinds = new LinkedHashMap<>();
        kinds.put("wrong password", wrong);
        // every kind on a new connection per request, as the wrong passwords from ever new addresses must be
        kinds.put("throttled", t -> () -> {
            Http.Reply reply = new LoopbackClient("127.0.0.1").postForm(tokenUrl("warden"), blockedForm);
            if (reply.status() != 429) {
                throw new IllegalStateException("a throttled attempt answered HTTP " + reply.status());
            }
        });
        kinds.put("Keycloak's floor", t -> () -> {
            Http.Reply reply = new LoopbackClient("127.0.0.1").postForm(tokenUrl("warden"), floorForm);
            if (reply.status() != 401) {
                throw new IllegalStateException("a grant without a username answered HTTP " + reply.status());
            }
        });
        Map<String, List<Load.Result>> results = new LinkedHashMap<>();
        for (Map.Entry<String, IntFunction<Load.Worker>> kind : kinds.entrySet()) {
            Load.run(server.jvm(), threads, Duration.ofSeconds(Math.max(5, seconds / 2)), kind.getValue());
            results.put(kind.getKey(), new ArrayList<>());
        }
        List<String> names = new ArrayList<>(kinds.keySet());
        for (int round = 0; round < rounds; round++) {
            for (String kind : alternate(names, round)) {
                Load.Result r = Load.run(server.jvm(), threads, Duration.ofSeconds(seconds), kinds.get(kind));
                results.get(kind).add(r);
                System.out.printf(
                        "round %d %-16s %8.1f req/s %7.3f CPU ms/req%n",
                        round + 1, kind, r.perSecond(), r.cpuMsPerRequest());
            }
        }
        doc.append("\n### A throttled attempt against a wrong password and Keycloak's floor (realm warden)\n\n");
        doc.append("| kind | server CPU ms per request (per round) | req/s (mean) |\n|---|---|---|\n");
        for (String kind : names) {
            doc.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.1f |%n",
                    kind,
                    list(results.get(kind), Load.Result::cpuMsPerRequest, "%.3f"),
                    mean(results.get(kind), Load.Result::perSecond)));
        }
        doc.append("\n| comparison | per round | mean | target |\n|---|---|---|---|\n");
        ratioRow("throttled / wrong password", results.get("throttled"), results.get("wrong password"), 1 / 50.0);
        ratioRow("throttled / Keycloak's floor", results.get("throttled"), results.get("Keycloak's floor"), 0);
        doc.append("\nA wrong password is a made-up name from a new address each time, so no limit fires (Keycloak"
                + " hashes a dummy password with the realm's Argon2 for a name with no account); the throttled"
                + " attempt is one name blocked at one address, refused at warden's block marker; Keycloak's floor"
                + " is a password grant without a username, refused in the flow's first step before any lookup or"
                + " hash: what the token endpoint costs by itself. Every kind opens a new connection per request."
                + " Wrong passwords and the floor store a LOGIN_ERROR event each; throttled attempts are summed into"
                + " one event per block and interval (the throttle digest).\n");
    }

    /** A row of CPU-per-request ratios {@code a / b}, one per round; a target of 0 means none. */
    private void ratioRow(String figure, List<Load.Result> a, List<Load.Result> b, double target) {
        List<String> perRound = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            double ratio = a.get(i).cpuMsPerRequest() / b.get(i).cpuMsPerRequest();
            sum += ratio;
            perRound.add(String.format(Locale.ROOT, "1/%.1f", 1 / ratio));
        }
        double mean = sum / a.size();
        String verdict = target == 0
                ? ""
                : String.format(Locale.ROOT, "at most 1/%.0f: %s", 1 / target, mean <= target ? "met" : "MISSED");
        doc.append(String.format(
                Locale.ROOT, "| %s | %s | 1/%.1f | %s |%n", figure, String.join(" / ", perRound), 1 / mean, verdict));
    }

    // --- the audit webhook's receiver up, refusing, hanging ---

    private void webhookMoods(Server server, HookReceiver hook) throws Exception {
        prepareUsers();
        List<HookReceiver.Mood> moods =
                List.of(HookReceiver.Mood.UP, HookReceiver.Mood.DOWN, HookReceiver.Mood.HANGING);
        Map<HookReceiver.Mood, List<Load.Result>> byMood = new LinkedHashMap<>();
        moods.forEach(m -> byMood.put(m, new ArrayList<>()));
        Load.run(server.jvm(), threads, Duration.ofSeconds(Math.max(5, seconds / 2)), worker(Kind.PASSWORD, "warden"));
        for (int round = 0; round < rounds; round++) {
            for (HookReceiver.Mood mood : alternate(moods, round)) {
                hook.set(mood);
                Load.Result r =
                        Load.run(server.jvm(), threads, Duration.ofSeconds(seconds), worker(Kind.PASSWORD, "warden"));
                byMood.get(mood).add(r);
                System.out.printf(
                        "round %d webhook %-8s %8.1f req/s p50 %6.1f ms p99 %6.1f ms%n",
                        round + 1, mood, r.perSecond(), r.p50Ms(), r.p99Ms());
            }
        }
        hook.set(HookReceiver.Mood.UP);
        for (String realm : REALMS) {
            Load.run(server.jvm(), threads, Duration.ofSeconds(seconds), worker(Kind.REFRESH, realm));
        }
        List<Load.Result> stock = new ArrayList<>();
        List<Load.Result> warden = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (String realm : alternate(REALMS, round)) {
                Load.Result r =
                        Load.run(server.jvm(), threads, Duration.ofSeconds(seconds), worker(Kind.REFRESH, realm));
                (realm.equals("stock") ? stock : warden).add(r);
            }
        }
        doc.append("\n### Logins with the audit webhook on: receiver up, refusing connections, hanging\n\n");
        doc.append("| receiver | p50 ms (per round) | p99 ms (per round) | p99 / p99 with the receiver up | req/s |"
                + "\n|---|---|---|---|---|\n");
        double upP99 = mean(byMood.get(HookReceiver.Mood.UP), Load.Result::p99Ms);
        List<Double> p50s = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        for (HookReceiver.Mood mood : moods) {
            List<Load.Result> r = byMood.get(mood);
            double p99 = mean(r, Load.Result::p99Ms);
            p50s.add(mean(r, Load.Result::p50Ms));
            p99s.add(p99);
            doc.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %.2f | %.1f |%n",
                    mood.name().toLowerCase(Locale.ROOT),
                    list(r, Load.Result::p50Ms, "%.1f"),
                    list(r, Load.Result::p99Ms, "%.1f"),
                    p99 / upP99,
                    mean(r, Load.Result::perSecond)));
        }
        doc.append("\nTarget: p99 with the receiver down or hanging within 5 % of up (1.05).\n\n");
        doc.append("| figure, every refresh audited (`events=all`) and sent to the receiver | stock | warden |"
                + " warden / stock, mean (min-max) | target |"
                + "\n|---|---|---|---|---|\n");
        row("refresh grant, req/s", stock, warden, Load.Result::perSecond, "%.1f", "within 2 %");
        row(
                "refresh grant, server CPU ms per request",
                stock,
                warden,
                Load.Result::cpuMsPerRequest,
                "%.2f",
                "within 2 %");
        Charts.bars(
                image("bench-webhook-latency.png"),
                "Password-grant latency with the audit webhook receiver up, down and hanging",
                "milliseconds",
                List.of("up", "down (connection refused)", "hanging (never answers)"),
                List.of(new Charts.Series("p50", p50s), new Charts.Series("p99", p99s)));
        doc.append("\n![Webhook latency](img/bench-webhook-latency.png)\n");
        System.out.printf("webhook lines received: %d%n", hook.received());
    }

    // --- the report ---

    /**
     * Starts the section of {@code part} if that part is to run (warden.bench.parts): a line that says when, where and
     * at which commit it was measured, so sections measured in different runs say so.
     */
    private boolean begin(String part) {
        if (!parts.contains(part)) {
            return false;
        }
        doc = new StringBuilder();
        sections.put(part, doc);
        doc.append(String.format(
                Locale.ROOT,
                "%n*Measured %s at commit %s: %s %s, %d cores, Java %s, Keycloak %s.*%n",
                LocalDate.now(),
                gitHead(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                keycloak.version()));
        return true;
    }

    /**
     * Replaces, in docs/benchmarks.md, the section of each part that ran and keeps the others as an earlier run wrote
     * them (a part whose markers are missing or out of order starts empty). Prints every section first, so a failed
     * write loses nothing.
     */
    private void writeDoc() throws IOException {
        sections.values().forEach(System.out::println);
        Path file = project.resolve("docs").resolve("benchmarks.md");
        String text = Files.readString(file);
        int begin = text.indexOf(MARK_BEGIN);
        int end = text.indexOf(MARK_END);
        String old = begin >= 0 && end > begin ? text.substring(begin + MARK_BEGIN.length(), end) : "";
        StringBuilder block = new StringBuilder("\n## Token life cycle, warden against stock"
                + " (`TokenLifecycleBenchmark`)\n\nOne production-mode Keycloak with realm `warden` as shipped and"
                + " realm `stock` (the same file with every warden part taken out) side by side; `./mvnw -Pbench`"
                + " runs it (`-Dwarden.bench.parts=` picks parts).\n");
        for (String part : PARTS) {
            String from = partMark(part, "begin");
            String to = partMark(part, "end");
            int a = old.indexOf(from);
            int b = a < 0 ? -1 : old.indexOf(to, a);
            String kept = b < 0 ? "\n" : old.substring(a + from.length(), b);
            block.append('\n').append(from);
            block.append(sections.containsKey(part) ? sections.get(part) + "\n" : kept);
            block.append(to).append('\n');
        }
        String whole = MARK_BEGIN + block + MARK_END;
        String updated = begin >= 0 && end > begin
                ? text.substring(0, begin) + whole + text.substring(end + MARK_END.length())
                : text + "\n" + whole + "\n";
        Files.writeString(file, updated);
        System.out.println("written to " + file);
    }

    private static String partMark(String part, String edge) {
        return "<!-- bench:token-lifecycle:" + part + ":" + edge + " -->";
    }

    private Path image(String name) {
        return project.resolve("docs").resolve("img").resolve(name);
    }

    private void row(
            String figure,
            List<Load.Result> stock,
            List<Load.Result> warden,
            java.util.function.ToDoubleFunction<Load.Result> value,
            String format,
            String target) {
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        for (int i = 0; i < stock.size(); i++) {
            double ratio = value.applyAsDouble(warden.get(i)) / value.applyAsDouble(stock.get(i));
            min = Math.min(min, ratio);
            max = Math.max(max, ratio);
            sum += ratio;
        }
        doc.append(String.format(
                Locale.ROOT,
                "| %s | %s | %s | %.3f (%.3f-%.3f) | %s |%n",
                figure,
                list(stock, value, format),
                list(warden, value, format),
                sum / stock.size(),
                min,
                max,
                target));
    }

    private static String list(
            List<Load.Result> results, java.util.function.ToDoubleFunction<Load.Result> value, String format) {
        List<String> parts = new ArrayList<>();
        for (Load.Result r : results) {
            parts.add(String.format(Locale.ROOT, format, value.applyAsDouble(r)));
        }
        return String.join(" / ", parts);
    }

    /** Round 0 in the given order, round 1 reversed, and so on (ABBA). */
    private static <T> List<T> alternate(List<T> items, int round) {
        List<T> order = new ArrayList<>(items);
        if (round % 2 == 1) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    private static double mean(List<Load.Result> results, java.util.function.ToDoubleFunction<Load.Result> value) {
        return results.stream().mapToDouble(value).average().orElse(0);
    }

    /** The short commit the benchmark runs at, or "unknown". */
    static String gitHead() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return git.waitFor() == 0 ? out : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private static HttpResponse<String> post(HttpClient http, String url, String form) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException("expected HTTP " + status + ", got " + response.statusCode() + " from "
                    + response.uri().getPath());
        }
        return response;
    }

    private static String refreshToken(HttpResponse<String> response) throws IOException {
        JsonNode tokens = JSON.readTree(response.body());
        String refresh = tokens.path("refresh_token").asText(null);
        if (refresh == null) {
            throw new IllegalStateException("no refresh token in the answer");
        }
        return refresh;
    }
}
