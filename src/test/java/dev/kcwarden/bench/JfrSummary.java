package dev.kcwarden.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples went, from warden's point of view: the share of samples with a warden frame on
 * the stack, and which warden methods (the innermost warden frame of each sample) and which leaf methods under them
 * took the most.
 */
final class JfrSummary {

    private static final String OURS = "dev.kcwarden.";

    record Share(String method, int samples) {}

    /** Code areas whose share of the samples is compared between realms: each a name and its frame prefixes. */
    static final Map<String, List<String>> AREAS = new java.util.LinkedHashMap<>();

    static {
        AREAS.put("warden (dev.kcwarden)", List.of(OURS));
        AREAS.put("client policies", List.of("org.keycloak.services.clientpolicy."));
        AREAS.put(
                "events: listeners and store",
                List.of("org.keycloak.events.", "org.keycloak.services.managers.EventsManager"));
        AREAS.put("JDBC and Hibernate", List.of("org.hibernate.", "org.h2.", "io.agroal."));
        AREAS.put("logging", List.of("org.jboss.logmanager."));
        AREAS.put("signing and keys", List.of("org.keycloak.crypto.", "org.keycloak.jose.", "org.keycloak.keys."));
        AREAS.put("sessions (Infinispan)", List.of("org.infinispan.", "org.keycloak.models.sessions."));
    }

    record Summary(
            int samples, int wardenSamples, List<Share> wardenMethods, List<Share> leaves, Map<String, Integer> areas) {
        double wardenShare() {
            return samples == 0 ? 0 : wardenSamples / (double) samples;
        }
    }

    private JfrSummary() {}

    static Summary of(Path recording, int top) throws IOException {
        int samples = 0;
        int ours = 0;
        Map<String, Integer> byWardenMethod = new HashMap<>();
        Map<String, Integer> byLeaf = new HashMap<>();
        Map<String, Integer> areas = new java.util.LinkedHashMap<>();
        AREAS.keySet().forEach(area -> areas.put(area, 0));
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            for (Map.Entry<String, List<String>> area : AREAS.entrySet()) {
                if (frames.stream().anyMatch(f -> area.getValue().stream().anyMatch(name(f.getMethod())::startsWith))) {
                    areas.merge(area.getKey(), 1, Integer::sum);
                }
            }
            for (RecordedFrame frame : frames) {
                String name = name(frame.getMethod());
                if (name.startsWith(OURS)) {
                    ours++;
                    byWardenMethod.merge(name, 1, Integer::sum);
                    byLeaf.merge(frames.isEmpty() ? "?" : name(frames.get(0).getMethod()), 1, Integer::sum);
                    break;
                }
            }
        }
        return new Summary(samples, ours, top(byWardenMethod, top), top(byLeaf, top), areas);
    }

    private static String name(RecordedMethod method) {
        return method == null ? "?" : method.getType().getName() + "." + method.getName();
    }

    private static List<Share> top(Map<String, Integer> counts, int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(n)
                .map(e -> new Share(e.getKey(), e.getValue()))
                .toList();
    }
}
