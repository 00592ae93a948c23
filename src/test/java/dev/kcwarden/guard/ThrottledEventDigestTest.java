package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.events.Event;

@DisplayName("Throttle event digest: the first refusal of a block is an event, the rest one summary per interval")
class ThrottledEventDigestTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ThrottledEventDigest digest = new ThrottledEventDigest(now::get);

    @Test
    @DisplayName("2,000 refusals of one block: one event, then one summary with 1,999 once the interval has passed")
    void floodGivesOneEventAndOneSummary() {
        int events = 0;
        for (int i = 0; i < 2000; i++) {
            if (digest.emit("block-a", event("first"), 60)) {
                events++;
            }
        }
        assertThat(events).isEqualTo(1);
        now.addAndGet(59_999);
        assertThat(digest.due()).as("not before the interval has passed").isEmpty();
        now.addAndGet(1);
        var due = digest.due();
        assertThat(due).containsOnlyKeys("block-a");
        assertThat(due.get("block-a").suppressed()).isEqualTo(1999);
        assertThat(due.get("block-a").template().getDetails()).containsEntry("username", "first");
        assertThat(digest.due()).as("summarised once").isEmpty();
    }

    @Test
    @DisplayName("a flood that goes on gives one summary per interval; a quiet block is forgotten, its next refusal "
            + "an event again")
    void continuingFloodAndQuietBlock() {
        assertThat(digest.emit("b", event("x"), 10)).isTrue();
        assertThat(digest.emit("b", event("x"), 10)).isFalse();
        now.addAndGet(10_000);
        assertThat(digest.due().get("b").suppressed()).isEqualTo(1);
        assertThat(digest.emit("b", event("x"), 10))
                .as("still within the new window")
                .isFalse();
        now.addAndGet(10_000);
        assertThat(digest.due().get("b").suppressed()).isEqualTo(1);
        now.addAndGet(10_000);
        assertThat(digest.due()).as("a quiet window emits nothing").isEmpty();
        assertThat(digest.size()).isZero();
        assertThat(digest.emit("b", event("x"), 10))
                .as("after the block is forgotten")
                .isTrue();
    }

    @Test
    @DisplayName(
            "blocks are separate, interval 0 means every refusal is an event, and a full digest summarises nothing new")
    void blocksIntervalZeroAndBound() {
        assertThat(digest.emit("one", event("x"), 60)).isTrue();
        assertThat(digest.emit("two", event("x"), 60)).as("another block").isTrue();
        assertThat(digest.emit("three", event("x"), 0)).isTrue();
        assertThat(digest.emit("three", event("x"), 0)).as("interval 0").isTrue();
        for (int i = digest.size(); i < ThrottledEventDigest.MAX_BLOCKS; i++) {
            digest.emit("fill-" + i, event("x"), 60);
        }
        assertThat(digest.emit("new-block", event("x"), 60)).isTrue();
        assertThat(digest.emit("new-block", event("x"), 60))
                .as("beyond the bound: not tracked")
                .isTrue();
        assertThat(digest.size()).isEqualTo(ThrottledEventDigest.MAX_BLOCKS);
    }

    @Test
    @DisplayName("a summary says how many different names and addresses it stands for: a spray behind one name is "
            + "not hidden")
    void summaryCountsDistinctNamesAndAddresses() {
        assertThat(digest.emit("per-ip", event("decoy"), 60)).isTrue();
        for (int i = 0; i < 50; i++) {
            Event sprayed = event("victim-" + (i % 25));
            sprayed.setIpAddress("192.0.2." + (i % 5));
            assertThat(digest.emit("per-ip", sprayed, 60)).isFalse();
        }
        now.addAndGet(60_000);
        ThrottledEventDigest.Summary summary = digest.due().get("per-ip");
        assertThat(summary.suppressed()).isEqualTo(50);
        assertThat(summary.usernames()).isEqualTo(25);
        assertThat(summary.ips()).isEqualTo(5);
    }

    @Test
    @DisplayName("one realm that fills its share of blocks leaves the digest working for the others")
    void boundIsPerRealm() {
        for (int i = 0; i < ThrottledEventDigest.MAX_BLOCKS; i++) {
            digest.emit("a-" + i, event("x", "realm-a"), 60);
        }
        assertThat(digest.emit("a-more", event("x", "realm-a"), 60)).isTrue();
        assertThat(digest.emit("a-more", event("x", "realm-a"), 60))
                .as("realm a is full")
                .isTrue();
        assertThat(digest.emit("b-1", event("x", "realm-b"), 60)).isTrue();
        assertThat(digest.emit("b-1", event("x", "realm-b"), 60))
                .as("realm b is still summarised")
                .isFalse();
    }

    private static Event event(String username, String realmId) {
        Event event = event(username);
        event.setRealmId(realmId);
        return event;
    }

    private static Event event(String username) {
        Event event = new Event();
        event.setDetails(new java.util.HashMap<>(java.util.Map.of("username", username)));
        return event;
    }

    @Test
    @DisplayName("under concurrency no refusal is lost: events plus summarised counts equal the refusals, while "
            + "blocks are summarised and forgotten meanwhile")
    void noCountLostWhileBlocksAreForgotten() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        java.util.concurrent.atomic.AtomicLong events = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong summarised = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread flusher = new Thread(() -> {
            while (!done.get()) {
                now.addAndGet(1_000); // every call is past the 1 s interval: quiet blocks are forgotten at once
                digest.due().values().forEach(summary -> summarised.addAndGet(summary.suppressed()));
            }
        });
        flusher.start();
        java.util.List<Thread> emitters = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread emitter = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    if (digest.emit("block-" + (i % 3), event("n"), 1)) {
                        events.incrementAndGet();
                    }
                    if (i % 97 == 0) {
                        Thread.yield(); // leave the flusher gaps in which a block is quiet
                    }
                }
            });
            emitters.add(emitter);
            emitter.start();
        }
        for (Thread emitter : emitters) {
            emitter.join();
        }
        done.set(true);
        flusher.join();
        now.addAndGet(1_000);
        digest.due().values().forEach(summary -> summarised.addAndGet(summary.suppressed()));
        assertThat(events.get() + summarised.get()).isEqualTo((long) threads * perThread);
    }
}
