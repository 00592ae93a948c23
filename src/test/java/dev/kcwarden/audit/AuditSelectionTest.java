package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kcwarden.WardenEvents;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.events.Event;
import org.keycloak.events.EventType;

/**
 * Which user events get an audit line: all but the successful token calls an app repeats, which a realm can add back
 * and no realm can take away from the rest.
 */
class AuditSelectionTest {

    private static final AuditSettings.EventSelection STANDARD = AuditSettings.EventSelection.STANDARD;
    private static final Supplier<Stream<String>> NONE_LISTED = Stream::empty;

    private static Event event(EventType type, String error, Map<String, String> details) {
        Event event = new Event();
        event.setType(type);
        event.setError(error);
        event.setDetails(details);
        return event;
    }

    @Test
    @DisplayName("with no list in the realm: LOGIN yes; a refresh, introspection, userinfo or validate call no")
    void tokenCallsLeftOut() {
        assertThat(AuditListener.audited(STANDARD, event(EventType.LOGIN, null, null), NONE_LISTED))
                .isTrue();
        for (EventType type : AuditListener.TOKEN_CALLS) {
            assertThat(AuditListener.audited(
                            STANDARD, event(type, null, Map.of("grant_type", "refresh_token")), NONE_LISTED))
                    .as("%s", type)
                    .isFalse();
        }
        assertThat(AuditListener.TOKEN_CALLS)
                .containsExactlyInAnyOrder(
                        EventType.REFRESH_TOKEN,
                        EventType.INTROSPECT_TOKEN,
                        EventType.USER_INFO_REQUEST,
                        EventType.VALIDATE_ACCESS_TOKEN);
    }

    @Test
    @DisplayName("a realm's list adds a token call back, and cannot take any other success away")
    void realmListOnlyAdds() {
        assertThat(AuditListener.audited(
                        STANDARD,
                        event(EventType.REFRESH_TOKEN, null, null),
                        () -> Stream.of("LOGIN", "REFRESH_TOKEN")))
                .isTrue();
        // a realm admin lists only LOGIN_ERROR: every success outside the token calls still gets its line
        Arrays.stream(EventType.values())
                .filter(t -> !AuditListener.TOKEN_CALLS.contains(t))
                .forEach(t -> assertThat(
                                AuditListener.audited(STANDARD, event(t, null, null), () -> Stream.of("LOGIN_ERROR")))
                        .as("%s", t)
                        .isTrue());
    }

    @Test
    @DisplayName("errors, warden's details and an unknown realm always get a line; all means all")
    void alwaysWritten() {
        assertThat(AuditListener.audited(
                        STANDARD, event(EventType.REFRESH_TOKEN_ERROR, "invalid_token", null), NONE_LISTED))
                .isTrue();
        assertThat(AuditListener.audited(STANDARD, event(EventType.REFRESH_TOKEN, "invalid_token", null), NONE_LISTED))
                .isTrue();
        assertThat(AuditListener.audited(
                        STANDARD,
                        event(EventType.REFRESH_TOKEN, null, Map.of(WardenEvents.WOULD_THROTTLE, "user_ip")),
                        NONE_LISTED))
                .isTrue();
        assertThat(AuditListener.audited(STANDARD, event(EventType.REFRESH_TOKEN, null, Map.of()), null))
                .isTrue();
        assertThat(AuditListener.audited(
                        AuditSettings.EventSelection.ALL, event(EventType.REFRESH_TOKEN, null, null), NONE_LISTED))
                .isTrue();
    }

    @Test
    @DisplayName("the events option: standard by default, all, and any other value refused with a printable message")
    void option() {
        assertThat(AuditSettings.parseEvents(null)).isEqualTo(STANDARD);
        assertThat(AuditSettings.parseEvents(" ALL ")).isEqualTo(AuditSettings.EventSelection.ALL);
        assertThatThrownBy(() -> AuditSettings.parseEvents("saved\n"))
                .hasMessageContaining("events must be standard")
                .hasMessageContaining("'saved?'");
    }
}
